"""Odd characters and overlong values from readers never lose a finished request.

PostgreSQL refuses NUL characters in text and jsonb; SQLite stores them. CI runs
this module on both, and the assertions check what was stored, so it fails on
either database without the cleaning.
"""

import pytest
from django.test import Client

from leadwizard.models import Lead
from tests.factories import LeadFactory, QuestionnaireFactory, VendorFactory, wizard_article
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db

CONTROL = "\x00\x01\x1b\x7f\x9f"


@pytest.fixture
def wizard(site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    page, block_id = wizard_article(site_tree.index, questionnaire, slug="ratgeber")
    return page, block_id


def run_wizard(client, wizard, landing, referrer, **contact):
    page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.post({"q-industry": "handel", "leadwizard-landing": landing, "leadwizard-referrer": referrer})
    run.answer(employees="12")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    return run.contact(**contact)


def stored_text(lead):
    return [
        value
        for field in lead._meta.concrete_fields
        for value in [getattr(lead, field.attname)]
        if isinstance(value, str)
    ]


def test_nul_bytes_in_utm_landing_and_referrer_keep_the_lead(client, wizard):
    response = run_wizard(
        client,
        wizard,
        landing="/ratgeber/?utm_source=news%00letter&utm_medium=%00&utm_campaign=herbst\x00aktion",
        referrer="https://suche.example/?q=crm\x00\x01",
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.utm_source == "newsletter"
    assert lead.utm_medium == ""
    assert lead.referrer == "https://suche.example/?q=crm"
    assert not any("\x00" in value for value in stored_text(lead))


def test_control_characters_in_the_contact_are_removed_not_refused(client, wizard):
    response = run_wizard(
        client,
        wizard,
        landing="/ratgeber/",
        referrer="",
        name=f"Erika{CONTROL} Mustermann",
        company=f"Muster{CONTROL} GmbH",
        message=f"Zeile 1\r\nZeile{CONTROL} 2",
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.name, lead.company) == ("Erika Mustermann", "Muster GmbH")
    assert lead.message == "Zeile 1\r\nZeile 2"


def test_overlong_and_unparseable_source_values_keep_the_lead(client, wizard):
    response = run_wizard(
        client,
        wizard,
        landing="http://[" + "x" * 5000,
        referrer="https://ref.example/" + "r" * 5000,
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert len(lead.landing_url) == 1000 and len(lead.referrer) == 1000
    assert lead.utm_source == ""


def test_overlong_utm_values_are_cut_to_their_columns(client, wizard):
    response = run_wizard(client, wizard, landing="/r/?utm_campaign=" + "k" * 900, referrer="")
    assert response.status_code == 302
    assert Lead.objects.get().utm_campaign == "k" * 200


def test_a_lead_saved_any_other_way_is_cleaned_too(site_tree):
    lead = LeadFactory(
        name="Null\x00Byte",
        utm_term="t" * 500,
        answers={"industry\x00": "handel\x00", "uses": ["sales\x00"]},
        spam_reasons=["honeypot\x00"],
    )
    lead.refresh_from_db()
    assert lead.name == "NullByte"
    assert lead.utm_term == "t" * 200
    assert lead.answers == {"industry": "handel", "uses": ["sales"]}
    assert lead.spam_reasons == ["honeypot"]


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "base64", "no-such-charset"])
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", b"leadwizard-block=x&contact-name=M%C3%BCller"),
        (
            "multipart/form-data; boundary=grenze",
            b'--grenze\r\nContent-Disposition: form-data; name="a"\r\n\r\nM\xc3\xbcller\r\n--grenze--\r\n',
        ),
    ],
)
def test_a_body_in_another_charset_is_refused_with_400(wizard, charset, content_type, body):
    page, _block_id = wizard
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.generic("POST", page.url, body, content_type=f"{content_type}; charset={charset}")
    assert response.status_code == 400
    assert "Zeichenkodierung" in response.content.decode()
    assert Lead.objects.count() == 0


def test_an_english_reader_is_told_in_english(site_tree):
    client = Client(raise_request_exception=False)
    response = client.generic(
        "POST", "/en/", b"a=1", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    assert response.status_code == 400
    assert "character encoding" in response.content.decode()


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "utf_8", '"UTF-8"'])
def test_utf8_spelled_any_way_is_accepted(client, wizard, charset):
    page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.start()
    response = client.generic(
        "POST",
        page.url,
        f"leadwizard-block={block_id}&leadwizard-token={run.token}&q-industry=handel".encode(),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 200
    assert "Schritt 2" in response.content.decode() or "employees" in response.content.decode()


def test_a_request_django_cannot_parse_gets_the_german_400_page(site_tree, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client(raise_request_exception=False)
    response = client.post("/", {f"feld{number}": "x" for number in range(10)})
    assert response.status_code == 400
    assert "Anfrage nicht verstanden" in response.content.decode()
