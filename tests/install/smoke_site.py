"""Run inside a site made by ``wagtail start`` that followed the README: do the plugins do their jobs?

Executed by ``test_readme_install.py`` as ``manage.py shell -c``, with the site's own
settings. Builds a questionnaire, a vendor and an article through the ORM (what
an editor does in the admin), then acts as a reader and as a marketer through
Django's test client, and prints one JSON line with what it saw.
"""

import json
import time

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()  # mails to mail.outbox, "testserver" allowed

from django.apps import apps  # noqa: E402
from home.models import HomePage  # noqa: E402
from wagtail.models import Locale  # noqa: E402

report = {
    "plugin_files": [],
    "apps": [name for name in ("articles", "leadwizard") if apps.is_installed(name)],
}
locale = Locale.get_default()
home = HomePage.objects.get(depth=2)
reader = Client()
marketer = Client()
marketer.force_login(get_user_model().objects.create_superuser("chefin", "chefin@example.com", "pw"))


def run_wizard():
    import leadwizard
    from leadwizard.models import Delivery, Lead, Questionnaire, Vendor

    report["plugin_files"].append(leadwizard.__file__)
    # List items carry ids, as Wagtail writes them; without, Wagtail would read the list in its old format.
    steps = [
        {
            "type": "step",
            "id": "s1",
            "value": {
                "key": "firma",
                "title": "Ihr Unternehmen",
                "intro": "",
                "questions": [
                    {
                        "type": "item",
                        "id": "q1",
                        "value": {
                            "key": "branche",
                            "label": "Branche",
                            "kind": "single",
                            "required": True,
                            "role": "industry",
                            "explanation_title": "",
                            "explanation": "",
                            "min_value": None,
                            "max_value": None,
                            "options": [
                                {"type": "item", "id": "o1", "value": {"key": "handel", "label": "Handel"}},
                                {"type": "item", "id": "o2", "value": {"key": "it", "label": "IT"}},
                            ],
                        },
                    }
                ],
            },
        }
    ]
    questionnaire = Questionnaire.objects.create(
        title="CRM-Auswahl", steps=json.dumps(steps), consent_text="<p>Ich willige ein.</p>", locale=locale
    )
    Vendor.objects.create(
        questionnaire=questionnaire,
        name="Alpha CRM",
        short_description="Ein CRM.",
        industries=["handel"],
        locale=locale,
    )
    home.body = json.dumps(
        [
            {
                "type": "lead_wizard",
                "value": {"questionnaire": questionnaire.pk, "heading": ""},
                "id": "wizard-1",
            }
        ]
    )
    home.save_revision().publish()

    page = reader.get("/")
    report["home"] = page.status_code
    report["wizard_on_home"] = 'name="leadwizard-token"' in page.content.decode()
    token = page.content.decode().split('name="leadwizard-token" value="')[1].split('"')[0]
    # Steps go to the form's action (the wizard's own address from leadwizard.urls), then to the page.
    action = page.content.decode().split('method="post" action="')[1].split('"')[0].split("#")[0]
    report["step_action"] = action
    step = reader.post(
        action,
        {"leadwizard-block": "wizard-1", "leadwizard-token": token, "q-branche": "handel"},
        follow=True,
    )
    token = step.content.decode().split('name="leadwizard-token" value="')[1].split('"')[0]
    # A person takes a moment for the contact form; faster than LEADWIZARD_MIN_SECONDS is taken for a bot.
    time.sleep(5.5)
    report["matches"] = step.content.decode().split('data-match-count="')[1].split('"')[0]
    done = reader.post(
        action,
        {
            "leadwizard-block": "wizard-1",
            "leadwizard-token": token,
            "leadwizard-action": "submit",
            "contact-name": "Erika Mustermann",
            "contact-company": "Muster GmbH",
            "contact-email": "erika@muster.example",
            "contact-consent": "on",
        },
    )
    report["submit"] = done.status_code
    report["submit_location"] = done.get("Location", "")
    report["leads"] = Lead.objects.count()
    report["lead_status"] = Lead.objects.get().status
    report["deliveries"] = sorted(Delivery.objects.values_list("kind", "status"))
    report["mail_to"] = sorted(address for message in mail.outbox for address in message.to)

    export = marketer.get("/admin/leadwizard/exports/csv/")
    report["export"] = export.status_code
    report["export_has_lead"] = "Erika Mustermann" in b"".join(export.streaming_content).decode("utf-8-sig")


def show_articles():
    import articles
    from articles.models import ArticleIndexPage, ArticlePage

    report["plugin_files"].append(articles.__file__)
    index = home.add_child(instance=ArticleIndexPage(title="Magazin", slug="magazin", locale=locale))
    index.save_revision().publish()
    article = index.add_child(
        instance=ArticlePage(
            title="CRM in fünf Schritten",
            slug="crm-in-fuenf-schritten",
            teaser="Wie Sie ein CRM auswählen.",
            body=json.dumps([{"type": "paragraph", "value": "<p>Erst fragen, dann wählen.</p>", "id": "p1"}]),
            locale=locale,
        )
    )
    article.save_revision().publish()
    shown = reader.get(article.url)
    report["article"] = shown.status_code
    report["article_text"] = "Erst fragen, dann wählen." in shown.content.decode()
    report["index"] = reader.get(index.url).status_code
    body_block = ArticlePage._meta.get_field("body").stream_block
    report["article_offers_wizard"] = "lead_wizard" in body_block.child_blocks

    editor = marketer.get(f"/admin/pages/add/articles/articlepage/{index.pk}/")
    report["article_editor"] = editor.status_code


if "leadwizard" in report["apps"]:
    run_wizard()
if "articles" in report["apps"]:
    show_articles()

call_command("check", "--fail-level", "ERROR")
print("SMOKE " + json.dumps(report))
