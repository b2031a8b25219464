"""The optional marketing consent on the contact step and its double opt-in by e-mail."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from leadwizard.consent import MARKETING_CONSENT_TEXT, consent_version
from leadwizard.deliveries import attempts, optin
from leadwizard.deliveries.channels import email as email_channel
from leadwizard.deliveries.errors import DeliveryError
from leadwizard.models import Delivery, Lead
from tests.factories import build_wizard_page, soup, translate_page
from tests.utils import WizardRun, submit_lead

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://[^\s\"<]+/optin/[^\s\"<]+/")


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.LEADWIZARD_MIN_SECONDS = 0


@pytest.fixture
def wizard_page(site_tree):
    return build_wizard_page(site_tree)


def contact_step(client, page, block_id):
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="yes", market="b2b")
    return run


def optin_mail(mailoutbox, lead):
    """The opt-in e-mail: the one to the reader with a confirmation link."""
    [message] = [m for m in mailoutbox if m.to == [lead.email] and LINK_RE.search(m.body)]
    return message


def confirm_path(mailoutbox, lead):
    return urlsplit(LINK_RE.search(optin_mail(mailoutbox, lead).body).group(0)).path


# The checkbox -------------------------------------------------------------------------------------


def test_the_contact_step_has_a_second_optional_unticked_checkbox(client, wizard_page):
    _questionnaire, page, block_id = wizard_page
    html = soup(contact_step(client, page, block_id).html)
    box = html.find("input", attrs={"name": "contact-marketing_consent"})
    assert box["type"] == "checkbox"
    assert not box.has_attr("checked")
    assert not box.has_attr("aria-required") and not box.has_attr("required")
    label = html.find("label", attrs={"for": box["id"]})
    with translation.override("de"):
        assert label.get_text(strip=True) == str(MARKETING_CONSENT_TEXT)
    assert html.find(id=box["aria-describedby"]).get_text(strip=True)  # a hint tied to the box
    # It is not the required consent, and it comes after it.
    consent = html.find("input", attrs={"name": "contact-consent"})
    assert consent["id"] != box["id"]
    assert str(html).index('name="contact-consent"') < str(html).index('name="contact-marketing_consent"')


def test_the_checkbox_text_is_translated(client, wizard_page, site_tree):
    questionnaire, page, block_id = wizard_page
    english_page = translate_page(page, site_tree.en, title="CRM guide")
    with translation.override("en"):
        html = soup(contact_step(client, english_page, block_id).html)
        box = html.find("input", attrs={"name": "contact-marketing_consent"})
        label = html.find("label", attrs={"for": box["id"]}).get_text(strip=True)
    assert label.startswith("Yes, I would like to receive occasional news about choosing a CRM by e-mail.")


def test_the_tick_survives_an_error_on_the_form(client, wizard_page):
    _questionnaire, page, block_id = wizard_page
    run = contact_step(client, page, block_id)
    run.contact(email="keine-adresse", marketing_consent="on")
    box = soup(run.html).find("input", attrs={"name": "contact-marketing_consent"})
    assert box.has_attr("checked")
    assert Lead.objects.count() == 0


def test_without_the_tick_nothing_is_stored_or_sent(
    client, wizard_page, mailoutbox, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert lead.marketing_consent is False
    assert lead.marketing_consent_text == lead.marketing_consent_version == ""
    assert lead.marketing_confirmation_sent_at is None
    assert not lead.deliveries.filter(kind=Delivery.Kind.MARKETING_OPT_IN).exists()
    assert not any(LINK_RE.search(m.body) for m in mailoutbox)


def test_with_the_tick_the_consent_is_stored_and_an_opt_in_mail_sent(
    client, wizard_page, mailoutbox, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks, marketing_consent="on")
    lead = Lead.objects.get()
    with translation.override("de"):
        shown = str(MARKETING_CONSENT_TEXT)
    assert lead.marketing_consent is True
    assert lead.marketing_consent_text == shown
    assert lead.marketing_consent_version == consent_version(shown)
    assert len(lead.marketing_consent_version) == 64
    assert lead.marketing_confirmation_sent_at is not None
    assert lead.marketing_confirmed_at is None
    assert not lead.has_marketing_consent  # only after the double opt-in

    delivery = lead.deliveries.get(kind=Delivery.Kind.MARKETING_OPT_IN)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.target == lead.email
    message = optin_mail(mailoutbox, lead)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = LINK_RE.search(message.body).group(0)
    optin_path = reverse("leadwizard:optin_confirm", args=["TOKEN"]).replace("TOKEN/", "")
    assert link.startswith("http://localhost" + optin_path)  # the public site, not the admin
    assert f'href="{link}"' in html
    assert "Alpha CRM" not in message.body


def test_a_failed_opt_in_mail_is_retried_and_not_marked_sent(
    client, wizard_page, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise DeliveryError("Mailserver antwortet nicht")

    monkeypatch.setattr(email_channel, "send_mail", broken)
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks, marketing_consent="on")
    lead = Lead.objects.get()
    delivery = lead.deliveries.get(kind=Delivery.Kind.MARKETING_OPT_IN)
    assert delivery.status == Delivery.Status.RETRYING
    assert lead.marketing_confirmation_sent_at is None

    monkeypatch.undo()
    assert attempts.attempt(delivery) is True
    lead.refresh_from_db()
    assert lead.marketing_confirmation_sent_at is not None
    assert confirm_path(mailoutbox, lead)


# The confirmation page ------------------------------------------------------------------------------


@pytest.fixture
def requested(client, wizard_page, mailoutbox, django_capture_on_commit_callbacks):
    """A lead that ticked the box; returns (lead, confirmation path)."""
    _questionnaire, page, block_id = wizard_page
    submit_lead(client, page, block_id, capture=django_capture_on_commit_callbacks, marketing_consent="on")
    lead = Lead.objects.get()
    return lead, confirm_path(mailoutbox, lead)


def test_opening_the_link_does_not_confirm_but_the_button_does(requested):
    lead, path = requested
    client = Client(enforce_csrf_checks=True)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    html = soup(response)
    assert html.find("html")["lang"] == "de"
    assert html.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert html.find("h1")
    form = html.find("form", attrs={"method": "post", "action": path})
    assert form.find("button", attrs={"type": "submit"})
    assert lead.email in response.content.decode()
    client.get(path)  # a link scanner opening it again
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is None

    assert client.post(path).status_code == 403  # no CSRF token, no confirmation
    token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    response = client.post(path, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == path
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is not None
    assert lead.has_marketing_consent

    html = soup(client.get(path))
    assert not html.find("form", attrs={"action": path})
    assert html.find(attrs={"role": "status"})


def test_confirming_twice_keeps_the_first_time(requested):
    lead, path = requested
    client = Client()
    client.post(path)
    lead.refresh_from_db()
    first = lead.marketing_confirmed_at
    client.post(path)
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at == first


def test_the_page_speaks_english_for_english_readers(
    client, wizard_page, site_tree, mailoutbox, django_capture_on_commit_callbacks
):
    _questionnaire, page, block_id = wizard_page
    english_page = translate_page(page, site_tree.en, title="CRM guide")
    with translation.override("en"):
        submit_lead(
            client, english_page, block_id, capture=django_capture_on_commit_callbacks, marketing_consent="on"
        )
    lead = Lead.objects.get()
    message = optin_mail(mailoutbox, lead)
    assert message.subject == "Please confirm that you would like to receive news"
    path = confirm_path(mailoutbox, lead)
    assert path.startswith("/en/leadwizard/optin/")
    response = Client().get(path)
    html = soup(response)
    assert html.find("html")["lang"] == "en"
    assert html.find("h1").get_text(strip=True) == "Confirm subscription"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path.replace("/optin/", "/optin/x"),
        lambda path: path[:-3] + "ab/",
    ],
    ids=["prefix", "signature"],
)
def test_tampered_links_confirm_nothing(requested, tamper):
    lead, path = requested
    client = Client()
    assert client.get(tamper(path)).status_code == 404
    assert client.post(tamper(path)).status_code == 404
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is None


def test_links_from_elsewhere_or_for_other_leads_confirm_nothing(requested):
    lead, _path = requested
    client = Client()
    other_salt = signing.dumps(lead.submission_key.hex, salt="leadwizard.state")
    assert client.post(reverse("leadwizard:optin_confirm", args=[other_salt])).status_code == 404
    Lead.objects.filter(pk=lead.pk).update(marketing_consent=False)
    token = optin.optin_token(lead)
    assert client.post(reverse("leadwizard:optin_confirm", args=[token])).status_code == 404
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is None


def test_an_erased_lead_cannot_be_confirmed(requested):
    lead, path = requested
    Lead.objects.filter(pk=lead.pk).update(erased_at=timezone.now())
    assert Client().post(path).status_code == 404
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is None


def test_links_expire_after_14_days(requested, monkeypatch):
    lead, path = requested
    assert optin.OPTIN_MAX_AGE == 14 * 24 * 3600
    assert optin.OPTIN_SALT == "leadwizard.optin"
    monkeypatch.setattr(optin, "OPTIN_MAX_AGE", -1)
    client = Client()
    response = client.get(path)
    assert response.status_code == 410
    assert not soup(response).find("form", attrs={"action": path})
    assert client.post(path).status_code == 410
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is None


def test_a_consent_text_is_expanded_once_per_questionnaire_and_language(db, site_tree, monkeypatch):
    """The contact step shows it and the submit stores it: Wagtail's expansion of its links runs once."""
    from wagtail.templatetags.wagtailcore_tags import richtext

    from leadwizard import consent
    from tests.factories import QuestionnaireFactory

    questionnaire = QuestionnaireFactory(
        consent_text=f'<p>Ja. <a linktype="page" id="{site_tree.home.pk}">Datenschutz</a></p>'
    )
    expanded = []
    expand = consent.render_consent_html
    monkeypatch.setattr(consent, "render_consent_html", lambda text: expanded.append(text) or expand(text))
    with translation.override("de"):
        first = consent.questionnaire_consent_html(questionnaire)
        assert consent.questionnaire_consent_html(questionnaire) is first
        assert first == richtext(questionnaire.consent_text)  # what the template's filter showed
        assert 'href="/"' in first
    assert len(expanded) == 1
    with translation.override("en"):
        consent.questionnaire_consent_html(questionnaire)
    questionnaire.consent_text = "<p>Neu.</p>"
    with translation.override("de"):
        assert consent.questionnaire_consent_html(questionnaire) == "<p>Neu.</p>"
    assert len(expanded) == 3
    # Another instance (read again, as after the process's copy expired or a save) expands anew.
    consent.questionnaire_consent_html(type(questionnaire).objects.get(pk=questionnaire.pk))
    assert len(expanded) == 4
