"""The reader never loses work: addresses for every place, Back, reload, limits, edits, conditions, forgery."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from leadwizard.models import FunnelCount, Lead
from leadwizard.reports import funnel_rows
from leadwizard.wizard.state import State
from tests.factories import (
    QuestionnaireFactory,
    VendorFactory,
    _item,
    default_steps,
    question,
    steps_json,
    wizard_article,
)
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact-name": "Erika Mustermann",
    "contact-company": "Muster GmbH",
    "contact-email": "kein-at-zeichen",
    "contact-phone": "+49 30 1234567",
}


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    cache.clear()


@pytest.fixture
def wizard(site_tree):
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales"])
    page, block_id = wizard_article(site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber")
    return questionnaire, page, block_id


def state_of(url):
    return State.loads(parse_qs(urlsplit(url).query)["leadwizard-state"][0])


def checked(html, name, value):
    return re.search(rf'name="{name}" value="{value}"[^>]*checked', html) is not None


def test_every_step_is_posted_then_shown_at_an_address_of_its_own(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    response = run.answer(industry="handel")
    # Post/redirect/get: the browser's history holds only GET addresses, so Back and
    # reload never ask to send a form again.
    assert [status for _url, status in run.redirects] == [302]
    assert run.location.startswith(f"/magazin/crm-ratgeber/?leadwizard-block={block_id}&leadwizard-state=")
    assert response.status_code == 200 and 'name="q-employees"' in run.html
    # The address belongs to one reader: no cache keeps it.
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]

    # Reload: the same place, and the answer given is still there.
    again = client.get(run.location)
    assert again.status_code == 200
    assert 'name="q-employees"' in again.content.decode()
    assert state_of(run.location).answers == {"industry": "handel"}


def test_back_to_an_older_address_shows_every_answer_given_since(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    step_two = run.location
    run.answer(employees="25")
    run.answer(uses=["sales", "service"], german_hq="yes", market="b2b")
    assert 'name="contact-email"' in run.html

    # The browser's Back goes to the address of step 2, which was made before step 2 was answered.
    html = client.get(step_two).content.decode()
    assert 'name="q-employees"' in html and 'value="25"' in html
    # Going on from there keeps the answers of later steps too.
    run.response = client.get(step_two)
    run.read_form()
    run.answer(employees="30")
    assert checked(run.html, "q-uses", "sales") and checked(run.html, "q-uses", "service")
    assert state_of(run.location).answers["employees"] == 30


def test_the_token_alone_still_works_when_the_cache_forgot_the_newest_answers(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    cache.clear()
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact()
    assert Lead.objects.get().answers["employees"] == 25


def test_contact_details_never_go_into_an_address_and_errors_keep_them_for_their_reader(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.post({**CONTACT, "contact-consent": "on"}, action="submit")
    assert Lead.objects.count() == 0
    for url, _status in run.redirects:
        assert "Mustermann" not in url and "kein-at-zeichen" not in url and "1234567" not in url
    token_data = json.dumps(state_of(run.location).__dict__)
    assert "Mustermann" not in token_data and "kein-at-zeichen" not in token_data
    # The reader sees the error with everything typed kept, also after a reload.
    for html in (run.html, client.get(run.location).content.decode()):
        assert 'value="Erika Mustermann"' in html and 'aria-invalid="true"' in html
    # Someone else opening the same address does not see the reader's details.
    stranger = Client(REMOTE_ADDR="198.51.100.99").get(run.location).content.decode()
    assert "Erika Mustermann" not in stranger and 'name="contact-email"' in stranger

    run.contact()
    assert Lead.objects.get().email == "erika@muster.example"


def test_back_after_sending_shows_the_confirmation_not_a_second_form(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    contact_address = run.location
    run.contact()
    html = client.get(contact_address).content.decode()
    assert "Ihre Anfrage ist erfolgreich bei uns eingegangen" in html
    assert 'name="contact-email"' not in html
    assert Lead.objects.count() == 1


def test_with_javascript_every_place_names_its_address_for_the_history(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id, fragment=True)
    run.answer(industry="handel")
    assert run.response.status_code == 200 and "<html" not in run.html
    url = re.search(r'data-leadwizard-url="([^"]+)"', run.html).group(1).replace("&amp;", "&")
    start = re.search(r'data-leadwizard-start-url="([^"]+)"', run.html).group(1).replace("&amp;", "&")
    assert state_of(url).place == "size"
    # The page's own history entry becomes step 1 with the reader's answer.
    assert state_of(start).place == "" and state_of(start).answers == {"industry": "handel"}
    # Back and reload ask for that address as a fragment, or as a page.
    fragment = client.get(start.split("#")[0], HTTP_X_LEADWIZARD="fragment").content.decode()
    assert "<html" not in fragment and checked(fragment, "q-industry", "handel")
    assert 'name="q-employees"' in client.get(url.split("#")[0]).content.decode()


def test_attribution_is_fixed_at_the_first_view_and_survives_an_error(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    landing = "/magazin/crm-ratgeber/?utm_source=newsletter&utm_campaign=herbst"
    # An error on step 1, posted with the landing fields of the page the reader first saw.
    run.post({"leadwizard-landing": landing, "leadwizard-referrer": "https://suche.example/"})
    assert "Bitte wählen Sie eine Antwort" in run.html
    # Later pages of the wizard have no landing fields: nothing can overwrite the first view.
    assert "leadwizard-landing" not in run.html
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact()
    lead = Lead.objects.get()
    assert lead.landing_url == landing and lead.utm_source == "newsletter"
    assert lead.referrer == "https://suche.example/"


def test_back_and_forth_counts_each_reader_once_per_step(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.post({"q-employees": "25"}, action="back")
    run.answer(industry="handwerk")
    run.answer(employees="25")
    run.post({}, action="back")
    run.post({}, action="back")
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.post({}, action="back")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact()
    # A second reader who leaves after step 1.
    WizardRun(Client(), page, block_id).answer(industry="it")

    steps = dict(
        FunnelCount.objects.filter(questionnaire=questionnaire, question="").values_list("step", "count")
    )
    assert steps == {"industry": 2, "size": 2, "needs": 1, "contact": 1, "success": 1}
    answered = dict(
        FunnelCount.objects.filter(questionnaire=questionnaire, step="").values_list("question", "count")
    )
    assert answered == {"industry": 2, "employees": 1, "uses": 1, "german_hq": 1, "market": 1}
    rows = funnel_rows(questionnaire.translation_key)
    assert [row.readers for row in rows] == [2, 2, 1, 1, 1]
    assert all(row.dropoff is None or row.dropoff >= 0 for row in rows)


def test_a_reader_stopped_mid_way_keeps_the_step_and_is_told_how_long_to_wait(client, wizard, settings):
    settings.LEADWIZARD_STEP_RATE_LIMIT = (2, 600)
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    response = run.answer(uses=["sales", "service"], german_hq="yes", market="b2b")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 601
    # What the reader chose on the stopped step is still there, and the notice says how long.
    assert checked(run.html, "q-uses", "sales") and checked(run.html, "q-german_hq", "yes")
    minutes = -(-int(response["Retry-After"]) // 60)
    assert re.search(rf"\b{minutes} Minuten?\b", run.html)
    assert state_of(run.location).answers == {"industry": "handel", "employees": 25}


def test_an_edit_of_the_questionnaire_keeps_the_answers_that_are_still_valid(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")

    # An editor adds an option and renames the key of "german_hq" while the reader is on step 3.
    steps = default_steps()
    steps[0][2][0]["options"].append(_item({"key": "bau", "label": "Bau"}))
    needs = steps[2][2]
    needs[1] = question("hq_germany", "Sitz in Deutschland?", "yes_no", "german_hq")
    questionnaire.steps = steps_json(steps)
    questionnaire.save()

    run.answer(uses=["sales"], hq_germany="no", market="b2b")
    assert "Ihre Auswahl war abgelaufen" not in run.html
    assert 'name="contact-email"' in run.html
    run.contact()
    assert Lead.objects.get().answers == {
        "industry": "handel",
        "employees": 25,
        "uses": ["sales"],
        "hq_germany": "no",
        "market": "b2b",
    }


def test_an_answer_that_became_invalid_mid_way_is_asked_next_with_the_notice(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handwerk")
    steps = default_steps()
    steps[0][2][0]["options"] = [
        _item({"key": "handel", "label": "Handel"}),
        _item({"key": "it", "label": "IT"}),
    ]
    questionnaire.steps = steps_json(steps)
    questionnaire.save()

    # The reader answers step 2; the question whose answer vanished comes next, with the notice.
    run.answer(employees="25")
    assert 'name="q-industry"' in run.html and "geändert" in run.html
    run.answer(industry="it")
    # Then on where the reader was, without the notice.
    assert 'name="q-uses"' in run.html and "geändert" not in run.html


def test_an_answer_that_became_invalid_is_asked_again(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handwerk")
    run.answer(employees="25")
    steps = default_steps()
    steps[0][2][0]["options"] = [
        _item({"key": "handel", "label": "Handel"}),
        _item({"key": "it", "label": "IT"}),
    ]
    questionnaire.steps = steps_json(steps)
    questionnaire.save()

    run.answer(uses=["sales"], german_hq="no", market="b2b")
    # Only the question whose answer is gone is asked again; the rest is kept.
    assert 'name="q-industry"' in run.html and "geändert" in run.html
    assert state_of(run.location).answers == {
        "employees": 25,
        "uses": ["sales"],
        "german_hq": "no",
        "market": "b2b",
    }
    run.answer(industry="it")
    assert 'name="contact-email"' in run.html


@pytest.fixture
def conditional_wizard(site_tree):
    steps = default_steps()
    steps[1][2].append(question("branches", "Mehrere Niederlassungen?", "yes_no", required=True))
    sites = question("sites", "Wie viele Standorte?", "number", min_value=2, max_value=1000)
    steps.insert(2, ("sites", "Standorte", [sites]))
    raw = json.loads(steps_json(steps))
    raw[2]["value"]["condition"] = {"question_key": "branches", "answer_keys": [_item("yes")]}
    questionnaire = QuestionnaireFactory(steps=json.dumps(raw))
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales"])
    page, block_id = wizard_article(site_tree.index, questionnaire, slug="bedingt")
    return questionnaire, page, block_id


def test_a_conditional_step_is_shown_only_when_its_condition_is_met(client, conditional_wizard):
    _q, page, block_id = conditional_wizard
    run = WizardRun(client, page, block_id)
    assert "Schritt 1 von 4" in run.start().content.decode()
    run.answer(industry="handel")
    run.answer(employees="25", branches="no")
    # Skipped: the step after is the needs step, and the progress counts only visible steps.
    assert 'name="q-uses"' in run.html and "Schritt 3 von 4" in run.html
    run.post({}, action="back")
    run.answer(employees="25", branches="yes")
    assert 'name="q-sites"' in run.html and "Schritt 3 von 5" in run.html
    run.answer(sites="4")
    run.post({}, action="back")
    run.post({}, action="back")
    # Changing the answer hides the step again, and its answer no longer applies.
    run.answer(employees="25", branches="no")
    assert 'name="q-uses"' in run.html
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact()
    answers = Lead.objects.get().answers
    assert "sites" not in answers and answers["branches"] == "no"


def test_a_hidden_question_is_not_validated(client, conditional_wizard):
    _q, page, block_id = conditional_wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25", branches="no")
    # A crafted post to the hidden step's question changes nothing.
    state = State.loads(run.token)
    state.place = "sites"
    run.post({"q-sites": "kaputt"}, token=state.dumps())
    assert 'name="q-uses"' in run.html and 'name="q-sites"' not in run.html


class TestPostsFromElsewhere:
    """Steps are checked for forgery by the request's origin, so readers without cookies answer too."""

    def post(self, client, page, block_id, **headers):
        return client.post(
            f"/leadwizard/step/{page.pk}/",
            {"leadwizard-block": block_id, "leadwizard-action": "next", "q-industry": "handel"},
            **headers,
        )

    def test_a_reader_without_the_csrf_cookie_gets_on(self, wizard):
        _q, page, block_id = wizard
        client = Client(enforce_csrf_checks=True)
        response = self.post(client, page, block_id, HTTP_SEC_FETCH_SITE="same-origin")
        assert response.status_code == 302
        assert state_of(response["Location"]).answers == {"industry": "handel"}
        # Older browsers without Fetch Metadata send Origin.
        response = self.post(client, page, block_id, HTTP_ORIGIN="http://testserver")
        assert state_of(response["Location"]).answers == {"industry": "handel"}

    @pytest.mark.parametrize(
        "headers",
        [
            {"HTTP_SEC_FETCH_SITE": "cross-site"},
            {"HTTP_SEC_FETCH_SITE": "same-site"},
            {"HTTP_ORIGIN": "https://evil.example"},
            {"HTTP_ORIGIN": "null"},
            {"HTTP_REFERER": "https://evil.example/form"},
            {},
        ],
    )
    def test_a_post_from_another_site_changes_nothing_and_says_why(self, wizard, headers):
        _q, page, block_id = wizard
        client = Client(enforce_csrf_checks=True)
        response = self.post(client, page, block_id, **headers)
        assert response.status_code == 302
        assert state_of(response["Location"]).answers == {}
        html = client.get(response["Location"]).content.decode()
        assert "nicht als von dieser Seite stammend" in html
        fragment = self.post(client, page, block_id, HTTP_X_LEADWIZARD="fragment", **headers)
        assert fragment.status_code == 403 and "<html" not in fragment.content.decode()

    def test_a_reader_with_the_cookie_and_a_token_must_pass_djangos_token_check_too(self, wizard):
        _q, page, block_id = wizard
        client = Client(enforce_csrf_checks=True)
        client.get(page.url)  # sets the CSRF cookie
        assert "csrftoken" in client.cookies
        stranger = Client()
        stranger.get(page.url)
        wrong_token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', stranger.get(page.url).content.decode()
        )
        response = self.post(
            client, page, block_id, HTTP_SEC_FETCH_SITE="same-origin", HTTP_X_CSRFTOKEN=wrong_token.group(1)
        )
        assert state_of(response["Location"]).answers == {}
        run = WizardRun(client, page, block_id)
        run.answer(industry="handel")
        assert state_of(run.location).answers == {"industry": "handel"}

    def test_a_form_without_a_token_is_judged_by_where_it_comes_from(self, wizard):
        """A page a cache served before the reader had the cookie, shown again from the browser's history."""
        _q, page, block_id = wizard
        client = Client(enforce_csrf_checks=True)
        client.get(page.url)  # sets the CSRF cookie
        assert "csrftoken" in client.cookies

        from_the_site = self.post(client, page, block_id, HTTP_SEC_FETCH_SITE="same-origin")
        from_elsewhere = self.post(client, page, block_id, HTTP_SEC_FETCH_SITE="cross-site")

        assert state_of(from_the_site["Location"]).answers == {"industry": "handel"}
        assert state_of(from_elsewhere["Location"]).answers == {}


def test_starting_again_is_a_new_request_from_the_same_reader(client, wizard):
    questionnaire, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.post({"q-industry": "handel", "leadwizard-landing": "/magazin/?utm_source=a"})
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    on_contact_step = run.token
    run.contact()
    run.post({}, action="restart", token=on_contact_step)
    assert 'name="q-industry"' in run.html
    run.answer(industry="it")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact()
    # A second request, not a repeat of the first; attribution and the funnel know the same reader.
    assert sorted(Lead.objects.values_list("answers__industry", flat=True)) == ["handel", "it"]
    assert set(Lead.objects.values_list("landing_url", flat=True)) == {"/magazin/?utm_source=a"}
    industry = FunnelCount.objects.get(questionnaire=questionnaire, step="industry", question="")
    assert industry.count == 1
