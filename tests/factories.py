"""Factories for the tests: locales, site tree, snippets, images and article pages."""

import datetime
import io
import json
import uuid
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import factory
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.images import ImageFile
from django.urls import reverse
from django.utils import translation
from factory.django import DjangoModelFactory
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.users.models import UserProfile

from articles.blocks import ArticleBodyBlock
from articles.models import ArticleIndexPage, ArticlePage, Author, RelatedArticle, Topic
from leadwizard.models import Questionnaire, Vendor


def locale(code):
    return Locale.objects.get_or_create(language_code=code)[0]


def png_bytes(width=32, height=18, colour=(30, 90, 160)):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Bild {n}")
    description = factory.Sequence(lambda n: f"Beschreibung von Bild {n}")
    file = factory.LazyAttribute(lambda o: ImageFile(io.BytesIO(png_bytes()), name=f"{uuid.uuid4().hex}.png"))


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.Sequence(lambda n: f"thema-{n}")
    locale = factory.LazyFunction(lambda: locale("de"))


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Autorin {n}")
    role = "Redakteurin"
    locale = factory.LazyFunction(lambda: locale("de"))


def stream(*blocks):
    """Raw StreamField data from (type, value) pairs, with stable ids."""
    return json.dumps([{"type": kind, "value": value, "id": str(uuid.uuid4())} for kind, value in blocks])


class ArticlePageFactory(factory.Factory):
    """Builds an ArticlePage below ``parent`` (required) and publishes it unless ``live=False``."""

    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Artikel {n}")
    slug = factory.Sequence(lambda n: f"artikel-{n}")
    teaser = factory.LazyAttribute(lambda o: f"Worum es in {o.title} geht.")
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    body = factory.LazyFunction(lambda: stream(("paragraph", "<p>Ein Absatz.</p>")))

    @classmethod
    def _create(cls, model_class, parent=None, live=True, topics=(), related=(), **kwargs):
        if parent is None:
            raise ValueError("ArticlePageFactory needs a parent index page")
        # A new page is live by default; only publishing the revision makes it so.
        page = model_class(live=False, **kwargs)
        parent.add_child(instance=page)
        if topics:
            page.topics.set(topics)
        if related:
            page.related_links.set([RelatedArticle(article=article) for article in related])
        revision = page.save_revision()
        if live:
            revision.publish()
        page.refresh_from_db()
        return page


def home_page_model():
    """The home page type of the host the tests run in: the demo site's, or the minimal test host's."""
    from django.apps import apps

    if apps.is_installed("website"):
        return apps.get_model("website", "HomePage")
    return apps.get_model("testapp", "PlainPage")


def build_site():
    """German home and magazine as the default site, plus their English translations."""
    de, en = locale("de"), locale("en")
    root = Page.get_first_root_node()
    for old in root.get_children():
        old.delete()
    home = home_page_model()(title="Startseite", slug="home", locale=de)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="CRM-Vergleich"
    )

    index = ArticleIndexPage(title="Magazin", slug="magazin")
    home.add_child(instance=index)
    index.save_revision().publish()

    home_en = translate_page(home, en)
    index_en = translate_page(index, en, title="Magazine")
    return SimpleNamespace(
        de=de, en=en, root=root, home=home, index=index, home_en=home_en, index_en=index_en
    )


def find_site():
    """The tree ``build_site`` made, read back from the database; None when it is not there (any more)."""
    de, en = (
        Locale.objects.filter(language_code="de").first(),
        Locale.objects.filter(language_code="en").first(),
    )
    home = Page.objects.filter(depth=2, slug="home", locale=de).first() if de and en else None
    site = Site.objects.filter(is_default_site=True, root_page=home).first() if home else None
    index = home.get_children().filter(slug="magazin").first() if site else None
    if index is None:
        return None
    home_en = Page.objects.filter(translation_key=home.translation_key, locale=en).first()
    index_en = Page.objects.filter(translation_key=index.translation_key, locale=en).first()
    if home_en is None or index_en is None:
        return None
    return SimpleNamespace(
        de=de,
        en=en,
        root=Page.get_first_root_node(),
        home=home.specific,
        index=index.specific,
        home_en=home_en.specific,
        index_en=index_en.specific,
    )


def translate_page(page, target_locale, live=True, **changes):
    """An English (or other) copy made with Wagtail's translation copy, published by default."""
    translated = page.specific.copy_for_translation(target_locale)
    for field, value in changes.items():
        setattr(translated, field, value)
    revision = translated.save_revision()
    if live:
        revision.publish()
    translated.refresh_from_db()
    return translated.specific


def translate_snippet(obj, target_locale, **changes):
    """A saved copy of a translatable snippet (topic, author) in ``target_locale``."""
    translated = obj.copy_for_translation(target_locale)
    for field, value in changes.items():
        setattr(translated, field, value)
    translated.save()
    return translated


def restrict_page(page):
    """Make ``page`` private: readers need a password to see it."""
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )


def soup(response):
    """The HTML of a response (or a string), parsed."""
    markup = response if isinstance(response, str) else response.content.decode()
    return BeautifulSoup(markup, "html.parser")


def teaser_urls(response, container):
    """Links of the teaser cards inside the element matching CSS selector ``container``, in order."""
    return [a["href"] for a in soup(response).select(f"{container} .teaser-card__title a")]


def day(n):
    """A fixed date ``n`` days into 2025 (earlier than the factory's default dates)."""
    return datetime.date(2025, 1, 1) + datetime.timedelta(days=n)


def render_block(block_type, raw_value, context=None, language="de"):
    """One article body block rendered from its stored (JSON) value, parsed."""
    block = ArticleBodyBlock().child_blocks[block_type]
    with translation.override(language):
        return soup(block.render(block.to_python(raw_value), context=context))


def meta(html, prop=None, name=None):
    """Contents of all <meta> elements of parsed ``html`` with the given property or name."""
    attrs = {"property": prop} if prop else {"name": name}
    return [element["content"] for element in html.find_all("meta", attrs=attrs)]


def alternates(html):
    """The hreflang alternates in the head of parsed ``html``: {language: URL}."""
    return {link["hreflang"]: link["href"] for link in html.find_all("link", rel="alternate", hreflang=True)}


def language_switcher(response):
    """The language switcher's links by language, and the language marked as current."""
    nav = soup(response).select_one("nav.language-switcher")
    links = {a["hreflang"]: a["href"] for a in nav.find_all("a")}
    current = [span["lang"] for span in nav.select('[aria-current="true"]')]
    return links, current


def search_url(language):
    """The search page's path in ``language`` (/suche/ in German, /en/search/ in English)."""
    with translation.override(language):
        return reverse("search")


def parse_xml(response):
    """The root element of an XML response (feed, sitemap)."""
    return ET.fromstring(response.content)  # noqa: S314 - the tests' own responses, not untrusted input


# Lead wizard ----------------------------------------------------------------------------


def _item(value, block_type="item"):
    return {"type": block_type, "id": str(uuid.uuid4()), "value": value}


def question(key, label, kind, role="", required=True, options=(), min_value=None, max_value=None, **extra):
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "required": required,
        "role": role,
        "explanation_title": extra.get("explanation_title", ""),
        "explanation": extra.get("explanation", ""),
        "min_value": min_value,
        "max_value": max_value,
        "options": [_item({"key": k, "label": v}) for k, v in options],
    }


def default_steps():
    """A small questionnaire: industry; company size; needs (uses, German HQ, market)."""
    return [
        (
            "industry",
            "Branche",
            [
                question(
                    "industry",
                    "In welcher Branche arbeiten Sie?",
                    "single",
                    "industry",
                    options=[("handel", "Handel"), ("handwerk", "Handwerk"), ("it", "IT")],
                    explanation_title="Warum dies bei der CRM-Auswahl wichtig ist:",
                    explanation="Branchenlösungen passen besser.",
                ),
            ],
        ),
        (
            "size",
            "Unternehmensgröße",
            [
                question(
                    "employees",
                    "Wie viele Beschäftigte hat Ihr Unternehmen?",
                    "number",
                    "employees",
                    min_value=1,
                    max_value=100000,
                ),
                question(
                    "users",
                    "Wie viele sollen das CRM nutzen?",
                    "number",
                    "users",
                    required=False,
                    min_value=1,
                    max_value=100000,
                ),
            ],
        ),
        (
            "needs",
            "Anforderungen",
            [
                question(
                    "uses",
                    "Wofür wollen Sie das CRM nutzen?",
                    "multiple",
                    "uses",
                    options=[("sales", "Vertrieb"), ("service", "Kundenservice"), ("marketing", "Marketing")],
                ),
                question(
                    "german_hq", "Soll der Anbieter seinen Sitz in Deutschland haben?", "yes_no", "german_hq"
                ),
                question(
                    "market",
                    "Verkaufen Sie an Unternehmen oder Privatkunden?",
                    "one_of",
                    "market",
                    options=[("b2b", "B2B"), ("b2c", "B2C"), ("both", "Beide")],
                ),
            ],
        ),
    ]


def steps_json(steps=None):
    return json.dumps(
        [
            _item(
                {"key": key, "title": title, "intro": "", "questions": [_item(q) for q in questions]}, "step"
            )
            for key, title, questions in (steps or default_steps())
        ]
    )


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = Questionnaire

    title = "Starten Sie Ihre CRM-Auswahl"
    intro = "Finden Sie in wenigen Schritten passende Anbieter."
    steps = factory.LazyFunction(steps_json)
    consent_text = '<p>Ich willige in die Verarbeitung meiner Angaben ein. <a href="https://crm.example/datenschutz/">Datenschutz</a></p>'
    success_title = "Ihre Anfrage ist erfolgreich bei uns eingegangen"
    success_text = "<ol><li>Wir prüfen Ihre Angaben.</li><li>Sie erhalten {shortlist_count} von {count} Anbietern.</li></ol>"
    no_results_success_text = "<p>Wir melden uns mit Vorschlägen.</p>"
    locale = factory.LazyFunction(lambda: locale("de"))


class VendorFactory(DjangoModelFactory):
    class Meta:
        model = Vendor

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    name = factory.Sequence(lambda n: f"Anbieter {n:03d}")
    short_description = factory.LazyAttribute(lambda o: f"{o.name} ist ein CRM für kleine Firmen.")
    industries = factory.LazyFunction(list)
    employees_min = 1
    employees_max = 500
    uses = factory.LazyFunction(lambda: ["sales"])
    market = "both"
    locale = factory.LazyFunction(lambda: locale("de"))


def wizard_body(questionnaire, block_id=None, heading=""):
    """Raw body data with one LeadWizardBlock; returns (json, block_id)."""
    block_id = block_id or str(uuid.uuid4())
    body = [
        {"type": "paragraph", "value": "<p>Einleitung.</p>", "id": str(uuid.uuid4())},
        {
            "type": "lead_wizard",
            "value": {"questionnaire": questionnaire.pk, "heading": heading},
            "id": block_id,
        },
    ]
    return json.dumps(body), block_id


def wizard_article(parent, questionnaire, **kwargs):
    """A published article that holds the wizard; returns (page, block_id)."""
    body, block_id = wizard_body(questionnaire)
    return ArticlePageFactory(parent=parent, body=body, **kwargs), block_id


def _consent_version(text):
    from leadwizard.consent import consent_version

    return consent_version(text)


def _labelled_answers(lead):
    return lead.questionnaire.definition.labelled_answers(lead.answers) if lead.questionnaire else []


class LeadFactory(DjangoModelFactory):
    """A lead as the wizard stores it. Pass ``created_at`` to back-date it (the field is auto_now_add)."""

    class Meta:
        model = "leadwizard.Lead"

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    answers = factory.LazyFunction(
        lambda: {
            "industry": "handel",
            "employees": 25,
            "uses": ["sales"],
            "german_hq": "yes",
            "market": "b2b",
        }
    )
    answer_labels = factory.LazyAttribute(_labelled_answers)
    industry = "handel"
    employees = 25
    name = factory.Sequence(lambda n: f"Erika Mustermann {n}")
    company = factory.Sequence(lambda n: f"Muster {n} GmbH")
    email = factory.Sequence(lambda n: f"erika{n}@muster.example")
    phone = "+49 30 1234567"
    message = ""
    consent_text = "<p>Ich willige in die Verarbeitung meiner Angaben ein.</p>"
    consent_version = factory.LazyAttribute(lambda o: _consent_version(o.consent_text))
    consent_given_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    source_page = None
    source_url = factory.LazyAttribute(lambda o: o.source_page.full_url if o.source_page else "")
    locale = "de"
    status = "new"

    @classmethod
    def _create(cls, model_class, *args, created_at=None, **kwargs):
        lead = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            model_class.objects.filter(pk=lead.pk).update(created_at=created_at)
            lead.refresh_from_db()
        return lead


def build_wizard_page(site_tree):
    """A questionnaire with one matching vendor on a published article: (questionnaire, page, block_id)."""
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales"])
    page, block_id = wizard_article(site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber")
    return questionnaire, page, block_id


def staff_user(username, *perms, superuser=False):
    """An admin user with exactly ``perms`` (app_label.codename) who reads the admin in English."""
    create = get_user_model().objects.create_superuser if superuser else get_user_model().objects.create_user
    user = create(username, f"{username}@redaktion.example", "pw")
    for perm in ("wagtailadmin.access_admin", *perms):
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return get_user_model().objects.get(pk=user.pk)
