"""Odd characters and overlong values from readers never lose a finished request.

PostgreSQL refuses NUL characters in text and jsonb; SQLite stores them. CI runs
this module on both, and the assertions check what was stored, so it fails on
either database without the cleaning.
"""

import pytest

from leadwizard.models import Lead
from tests.factories import LeadFactory, QuestionnaireFactory, VendorFactory, wizard_article
from tests.utils import WizardRun, sent

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
    assert sent(response)
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
    assert sent(response)
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
    assert sent(response)
    lead = Lead.objects.get()
    assert len(lead.landing_url) == 1000 and len(lead.referrer) == 1000
    assert lead.utm_source == ""


def test_overlong_utm_values_are_cut_to_their_columns(client, wizard):
    response = run_wizard(client, wizard, landing="/r/?utm_campaign=" + "k" * 900, referrer="")
    assert sent(response)
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
