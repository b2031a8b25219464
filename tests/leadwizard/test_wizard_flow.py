"""The reader's path through the wizard, with and without JavaScript."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.utils import translation

from leadwizard.matching import answers_by_role, match_vendors, option_orders
from leadwizard.models import FunnelCount, Lead
from leadwizard.wizard.state import DONE_SALT, State, structure_version
from tests.factories import QuestionnaireFactory, VendorFactory, translate_page, wizard_article
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db

ANSWERS = {
    "industry": "handel",
    "employees": "25",
    "uses": ["sales", "service"],
    "german_hq": "yes",
    "market": "b2b",
}


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.LEADWIZARD_MIN_SECONDS = 0


@pytest.fixture
def wizard(site_tree):
    questionnaire = QuestionnaireFactory()
    # Vendors chosen so that the answers above find exactly three of them.
    VendorFactory(
        questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales", "service"]
    )
    VendorFactory(
        questionnaire=questionnaire, name="Beta CRM", industries=[], uses=["sales"], german_headquarters=True
    )
    VendorFactory(
        questionnaire=questionnaire, name="Gamma CRM", employees_min=1, employees_max=100, market="b2b"
    )
    VendorFactory(questionnaire=questionnaire, name="Delta CRM", industries=["it"])  # wrong industry
    VendorFactory(
        questionnaire=questionnaire, name="Epsilon CRM", employees_min=500, employees_max=None, market="b2b"
    )  # too small a company
    VendorFactory(questionnaire=questionnaire, name="Zeta CRM", market="b2c")  # wrong market
    VendorFactory(questionnaire=questionnaire, name="Eta CRM", active=False)
    page, block_id = wizard_article(site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber")
    return questionnaire, page, block_id


def done_key(url):
    token = parse_qs(urlsplit(url).query)["leadwizard-done"][0]
    return signing.loads(token, salt=DONE_SALT)["k"]


def complete_questions(run):
    run.answer(industry=ANSWERS["industry"])
    run.answer(employees=ANSWERS["employees"])
    return run.answer(uses=ANSWERS["uses"], german_hq=ANSWERS["german_hq"], market=ANSWERS["market"])


def test_first_step_is_rendered_inside_the_page(client, wizard):
    _questionnaire, page, block_id = wizard
    html = client.get(page.url).content.decode()
    assert f'id="leadwizard-{block_id}"' in html
    assert "Starten Sie Ihre CRM-Auswahl" in html
    assert 'name="q-industry"' in html
    assert "Schritt 1 von 4" in html
    assert f'action="/leadwizard/step/{page.pk}/#leadwizard-' in html
    assert "Warum dies bei der CRM-Auswahl wichtig ist:" in html


def test_the_lead_keeps_every_match_not_only_the_first_ones(client, wizard, settings):
    """The consultant chooses from every vendor the reader saw; exports carry only the first ones."""
    settings.LEADWIZARD_TOP_MATCHES = 2
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    run.contact()
    lead = Lead.objects.get()
    assert lead.match_count == 3
    assert [match["vendor"] for match in lead.matches] == ["Alpha CRM", "Beta CRM", "Gamma CRM"]
    assert all(match["reasons"] and "score" in match for match in lead.matches)
    assert lead.top_matches == lead.matches[:2]


@pytest.mark.parametrize("fragment", [False, True], ids=["without-js", "with-js"])
def test_complete_wizard_creates_one_lead(client, wizard, fragment):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id, fragment=fragment)

    response = run.answer(industry="handel")
    assert response.status_code == 200
    assert "Schritt 2 von 4" in run.html
    # Without JavaScript the whole page comes back; with it, only the wizard.
    assert ("<html" in run.html) is not fragment
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]

    run.answer(employees="25")
    response = run.answer(uses=["sales", "service"], german_hq="yes", market="b2b")
    assert "3 Systeme gefunden" in run.html
    assert run.match_count == 3
    assert Lead.objects.count() == 0

    response = run.contact(phone="+49 30 1234567", message="Bitte um Rückruf.")
    lead = Lead.objects.get()
    if fragment:
        assert response.status_code == 200
        assert "Ihre Anfrage ist erfolgreich bei uns eingegangen" in run.html
    else:
        # Post/redirect/get: a reload of the confirmation never sends the request again.
        assert [status for _url, status in run.redirects] == [302]
        assert run.location.startswith("/magazin/crm-ratgeber/?leadwizard-done=")
        assert run.location.endswith(f"#leadwizard-{block_id}")
        assert response.status_code == 200
        html = run.html
        assert "Ihre Anfrage ist erfolgreich bei uns eingegangen" in html
        assert "Longlist anzeigen" in html
        assert "Auswahl neu starten" in html

    assert lead.answers == {
        "industry": "handel",
        "employees": 25,
        "uses": ["sales", "service"],
        "german_hq": "yes",
        "market": "b2b",
    }
    assert lead.questionnaire == questionnaire
    assert lead.name == "Erika Mustermann"
    assert lead.company == "Muster GmbH"
    assert lead.email == "erika@muster.example"
    assert lead.phone == "+49 30 1234567"
    assert lead.message == "Bitte um Rückruf."
    assert lead.status == Lead.Status.NEW
    assert lead.locale == "de"
    assert lead.source_page_id == page.pk
    assert lead.source_url.endswith("/magazin/crm-ratgeber/")
    assert lead.industry == "handel"
    assert lead.employees == 25
    assert lead.match_count == 3
    assert [match["vendor"] for match in lead.top_matches] == ["Alpha CRM", "Beta CRM", "Gamma CRM"]
    assert all("reasons" in match and "score" in match for match in lead.top_matches)
    assert "Ich willige in die Verarbeitung" in lead.consent_text
    assert len(lead.consent_version) == 64
    assert lead.consent_given_at is not None
    steps = {group["key"]: group for group in lead.answer_labels}
    assert steps["needs"]["questions"][0]["answer"] == "Vertrieb, Kundenservice"
    assert steps["industry"]["questions"][0]["question"] == "In welcher Branche arbeiten Sie?"


def test_match_count_equals_match_vendors(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    answers = {
        "industry": "handel",
        "employees": 25,
        "uses": ["sales", "service"],
        "german_hq": "yes",
        "market": "b2b",
    }
    definition = questionnaire.definition
    expected = match_vendors(
        answers_by_role(definition, answers),
        [vendor.to_profile() for vendor in questionnaire.vendors.filter(active=True)],
        option_orders=option_orders(definition),
    )
    assert run.match_count == len(expected) == 3


def test_back_keeps_answers(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handwerk")
    run.answer(employees="40", users="12")
    # On step 3, go back without answering: step 2 shows the numbers entered.
    run.post({"q-uses": ["marketing"]}, action="back")
    assert "Schritt 2 von 4" in run.html
    assert 'value="40"' in run.html
    assert 'value="12"' in run.html
    run.post(action="back")
    assert "Schritt 1 von 4" in run.html
    assert _checked(run.html, "handwerk")
    # Forward again: the choice made on step 3 before going back is still there.
    run.answer(industry="handwerk")
    run.answer(employees="40")
    assert _checked(run.html, "marketing")


def _checked(html, value):
    return re.search(rf'value="{value}"\s+checked', html) is not None


def test_errors_are_shown_on_the_same_step_and_tied_to_fields(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    response = run.answer(employees="viele")
    assert response.status_code == 200
    html = run.html
    assert "Schritt 2 von 4" in html
    assert "Bitte prüfen Sie Ihre Angaben" in html
    field_id = f"leadwizard-{block_id}-employees"
    assert f'href="#{field_id}"' in html  # the summary links to the field
    assert f'id="{field_id}-error"' in html
    assert f'aria-describedby="{field_id}-error' in html
    assert 'aria-invalid="true"' in html
    assert 'value="viele"' in html  # what the reader typed is kept
    assert 'role="alert" tabindex="-1" autofocus' in html


def test_required_answers_and_consent(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer()
    assert "Bitte wählen Sie eine Antwort." in run.html
    complete_questions(run)
    response = run.contact(consent=False, email="keine-adresse")
    assert response.status_code == 200
    assert "Bitte stimmen Sie zu" in run.html
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein" in run.html
    assert Lead.objects.count() == 0


def test_double_submit_makes_one_lead(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    contact_token = run.token
    first = run.contact()
    first_location = run.location
    second = run.contact(token=contact_token)
    assert first.status_code == second.status_code == 200
    # Both confirm the same request.
    assert done_key(run.location) == done_key(first_location)
    assert Lead.objects.count() == 1
    assert FunnelCount.objects.get(step="success").count == 1


def test_longlist_and_restart(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    run.contact()
    done_url = run.location
    longlist = client.get(done_url.replace("#", "&leadwizard-view=longlist#")).content.decode()
    assert "Ihre Longlist" in longlist
    positions = [longlist.index(name) for name in ("Alpha CRM", "Beta CRM", "Gamma CRM")]
    assert positions == sorted(positions)
    assert "Delta CRM" not in longlist
    assert "Alpha CRM ist ein CRM für kleine Firmen." in longlist

    # With JavaScript: the same links answer with the wizard fragment.
    fragment = client.get(
        done_url.split("#")[0] + f"&leadwizard-view=longlist&leadwizard-block={block_id}",
        HTTP_X_LEADWIZARD="fragment",
    ).content.decode()
    assert "<html" not in fragment and "Ihre Longlist" in fragment
    restart = client.get(
        page.url + f"?leadwizard-block={block_id}", HTTP_X_LEADWIZARD="fragment"
    ).content.decode()
    assert "Schritt 1 von 4" in restart

    # A forged "done" token shows the first step, not someone's longlist.
    forged = client.get(page.url + "?leadwizard-done=abc&leadwizard-view=longlist").content.decode()
    assert "Ihre Longlist" not in forged and "Schritt 1 von 4" in forged


def test_no_match_is_told_kindly_and_lead_can_still_be_left(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="it")
    run.answer(employees="9000")
    run.answer(uses=["marketing"], german_hq="no", market="b2c")
    assert run.match_count == 0
    assert "0 Systeme gefunden" in run.html
    assert "Kein System erfüllt alle Ihre Kriterien" in run.html
    run.contact()
    assert Lead.objects.get().match_count == 0
    # The success step promises no list: the editor's text for this case, not the next steps.
    html = run.html
    assert "Wir melden uns mit Vorschlägen." in html
    assert "Sie erhalten" not in html


def test_the_success_step_fills_in_the_real_numbers(client, wizard, settings):
    settings.LEADWIZARD_SHORTLIST_SIZE = 2
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    assert "3 Systeme gefunden" in run.html
    run.contact()
    html = run.html
    assert "Sie erhalten 2 von 3 Anbietern." in html
    assert "{shortlist_count}" not in html and "{count}" not in html


def test_landing_url_utm_and_referrer_are_stored_without_ip(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.post(
        {
            "q-industry": "handel",
            "leadwizard-landing": "/magazin/crm-ratgeber/?utm_source=newsletter&utm_medium=email&utm_campaign=herbst",
            "leadwizard-referrer": "https://suche.example/?q=crm",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact()
    lead = Lead.objects.get()
    assert lead.utm_source == "newsletter"
    assert lead.utm_medium == "email"
    assert lead.utm_campaign == "herbst"
    assert lead.referrer == "https://suche.example/?q=crm"
    assert lead.landing_url.startswith("/magazin/crm-ratgeber/?utm_source=")
    stored = " ".join(str(value) for value in Lead.objects.values().get().values())
    assert "203.0.113.9" not in stored


def test_funnel_counts_each_step_reached(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    run.contact()
    run2 = WizardRun(client, page, block_id)
    run2.answer(industry="handel")
    counts = dict(
        FunnelCount.objects.filter(page=page, questionnaire=questionnaire, question="").values_list(
            "step", "count"
        )
    )
    assert counts == {"industry": 2, "size": 2, "needs": 1, "contact": 1, "success": 1}


def test_english_reader_gets_the_english_questionnaire_and_same_keys(client, wizard, site_tree):
    questionnaire, page, block_id = wizard
    english_questionnaire = questionnaire.copy_for_translation(site_tree.en)
    english_questionnaire.title = "Start your CRM selection"
    steps = english_questionnaire.steps.raw_data
    steps[0]["value"]["title"] = "Industry"
    steps[0]["value"]["questions"][0]["value"]["label"] = "Which industry are you in?"
    steps[0]["value"]["questions"][0]["value"]["options"][0]["value"]["label"] = "Retail"
    english_questionnaire.save()
    english_page = translate_page(page, site_tree.en, title="CRM guide")

    with translation.override("en"):
        run = WizardRun(client, english_page, block_id)
        html = client.get(english_page.url).content.decode()
        assert "Start your CRM selection" in html and "Step 1 of 4" in html
        run.answer(industry="handel")
        assert "Step 2 of 4" in run.html
        run.answer(employees="25")
        run.answer(uses=["sales"], german_hq="no", market="b2b")
        assert "systems found" in run.html
        run.contact()
    lead = Lead.objects.get()
    assert lead.locale == "en"
    assert lead.questionnaire == english_questionnaire
    assert set(lead.answers) == {"industry", "employees", "uses", "german_hq", "market"}
    assert lead.answer_labels[0]["questions"][0]["answer"] == "Retail"


def test_tampered_token_restarts_with_a_german_message(client, wizard):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    response = run.post({"q-employees": "10"}, token=run.token[:-3] + "abc")
    assert response.status_code == 200
    assert "Ihre Auswahl war abgelaufen oder konnte nicht gelesen werden" in run.html
    assert "Schritt 1 von 4" in run.html


def test_outdated_token_restarts(client, wizard, settings):
    _questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    settings.LEADWIZARD_TOKEN_MAX_AGE = -1
    run.answer(employees="10")
    assert "Ihre Auswahl war abgelaufen" in run.html


def test_token_from_another_page_or_changed_questionnaire_restarts(client, wizard, site_tree):
    questionnaire, page, block_id = wizard
    other_page, other_block = wizard_article(site_tree.index, questionnaire, slug="anderer-artikel")
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    foreign = WizardRun(client, other_page, other_block)
    foreign.post({"q-employees": "10"}, token=run.token)
    assert "Ihre Auswahl war abgelaufen" in foreign.html

    # A token from before an edit keeps every answer that is still valid.
    state = State.loads(run.token)
    state.version = "0" * 12
    run.post({"q-employees": "10"}, token=state.dumps())
    assert "Ihre Auswahl war abgelaufen" not in run.html
    assert 'name="q-uses"' in run.html
    assert State.loads(run.token).answers == {"industry": "handel", "employees": 10}


def test_contact_step_requires_all_answers_in_the_token(client, wizard):
    questionnaire, page, block_id = wizard
    state = State(
        questionnaire=str(questionnaire.translation_key),
        page=page.pk,
        block=block_id,
        version=structure_version(questionnaire.definition),
        place="contact",
        answers={"industry": "handel"},
        started=time.time() - 60,
        key="0" * 32,
    )
    run = WizardRun(client, page, block_id)
    run.contact(token=state.dumps())
    assert Lead.objects.count() == 0
    # The reader is asked the first question still missing, keeping the answer given.
    assert 'name="q-employees"' in run.html
    assert State.loads(run.token).answers == {"industry": "handel"}


def test_signed_state_cannot_be_forged_without_the_secret():
    state = State(questionnaire="q", page=1, block="b", version="v")
    token = state.dumps()
    assert State.loads(token) == state
    with pytest.raises(signing.BadSignature):
        State.loads(signing.dumps({"questionnaire": "q"}, salt="other"))


def test_the_vendor_consent_is_offered_only_where_the_questionnaire_asks_and_is_stored(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    assert 'name="contact-vendor_consent"' not in run.html
    run.contact(vendor_consent="on")  # posted anyway: nothing is stored without a text shown
    lead = Lead.objects.get()
    assert (lead.vendor_consent, lead.vendor_consent_version) == (False, "")

    questionnaire.vendor_consent_text = "<p>Die ausgewählten Anbieter dürfen mich kontaktieren.</p>"
    questionnaire.save()
    run = WizardRun(client, page, block_id)
    complete_questions(run)
    assert 'name="contact-vendor_consent"' in run.html
    run.contact(email="zweite@muster.example", vendor_consent="on")
    lead = Lead.objects.get(email="zweite@muster.example")
    assert lead.vendor_consent and len(lead.vendor_consent_version) == 64
    assert "dürfen mich kontaktieren" in lead.vendor_consent_text and lead.vendor_consent_given_at
