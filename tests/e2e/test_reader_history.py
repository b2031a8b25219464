"""The wizard's place in the browser's history, and what readers meet on the way.

Back, Forward and reload with and without JavaScript (post/redirect/get, and
history entries written by wizard.js), rate limits, an editor changing the
questions while a reader is mid-way, the conditional "Standorte" step, numbers
as English readers write them, readers whose browser sends no cookies, and the
reasons behind the vendors found. Each journey uses one browser page where it can.
"""

import json
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from leadwizard.models import Lead, Questionnaire
from leadwizard.wizard.protection import seconds_until_reset
from tests.e2e.browser import (
    DEMO_ANSWERS,
    WIZARD,
    expected_match_count,
    fill_contact,
    fill_step,
    localized_path,
    press_next,
    stored_answers,
)
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

WIZARD_ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"
SUCCESS = "Ihre Anfrage ist erfolgreich bei uns eingegangen"
CHANGED_NOTICE = (
    "Wir haben die Fragen inzwischen geändert. Ihre Antworten bleiben erhalten; "
    "bitte beantworten Sie die neuen oder geänderten Fragen."
)
BLOCKED_NOTICE = re.compile(
    r"Aus Ihrem Netzwerk kamen in kurzer Zeit sehr viele Anfragen\. Ihre Antworten bleiben erhalten: "
    r"Bitte fahren Sie in etwa \d+ Minuten? fort\."
)
# What Chromium shows instead of a page when Back would have to send a form again.
RESUBMISSION_ERRORS = ("ERR_CACHE_MISS", "Confirm Form Resubmission", "Formularübermittlung bestätigen")


# Helpers -------------------------------------------------------------------------------


def wait_for_step(page, number, total=7, language="de"):
    text = f"Schritt {number} von {total}" if language == "de" else f"Step {number} of {total}"
    expect(page.locator(f"{WIZARD} .leadwizard__progress-label")).to_have_text(text)


def next_step(page, javascript):
    """Press "Next": a fragment swapped in with JavaScript, else a post answered by a redirect."""
    if javascript:
        press_next(page)
    else:
        with page.expect_navigation():
            press_next(page)


def answer_steps(page, steps, javascript=True, first=1, total=7):
    """Answer ``steps`` (dicts as in DEMO_ANSWERS), starting on step number ``first``."""
    for number, answers in enumerate(steps, start=first):
        wait_for_step(page, number, total)
        fill_step(page, answers)
        next_step(page, javascript)


def submit(page, javascript=True):
    button = page.locator(WIZARD).locator('button[value="submit"]')
    if javascript:
        button.click()
    else:
        with page.expect_navigation():
            button.click()
    expect(page.locator(WIZARD)).to_contain_text(SUCCESS)


def query_of(page):
    return parse_qs(urlsplit(page.url).query)


def assert_wizard_address(page, parameter="leadwizard-state"):
    """The address bar holds the article with the reader's place: what reload and Back come back to."""
    assert urlsplit(page.url).path == WIZARD_ARTICLE
    assert parameter in query_of(page), page.url


def assert_real_page(page):
    """Back and Forward led to a page of the site, not to Chromium's "send the form again?" error."""
    html = page.content()
    for marker in RESUBMISSION_ERRORS:
        assert marker not in html
    expect(page.locator(WIZARD)).to_be_visible()


def assert_step_two_kept(page):
    expect(page.locator('input[name="q-employees"]')).to_have_value(DEMO_ANSWERS[1]["employees"])
    expect(page.locator('input[name="q-users"]')).to_have_value(DEMO_ANSWERS[1]["users"])


def assert_step_three_kept(page):
    checked = page.locator('input[name="q-uses"]:checked')
    expect(checked).to_have_count(len(DEMO_ANSWERS[2]["uses"]))
    for value in DEMO_ANSWERS[2]["uses"]:
        expect(page.locator(f'input[name="q-uses"][value="{value}"]')).to_be_checked()


def assert_axe_clean(axe, page, name):
    violations = axe(page)
    assert violations == [], f"{name}: {violations}"


def edit_questionnaire(change):
    """Change the German demo questionnaire as an editor saving the snippet would: ``change(steps_by_key)``
    edits the StreamField's raw step values in place."""
    questionnaire = Questionnaire.objects.get(locale__language_code="de")
    raw = questionnaire.steps.get_prep_value()
    change({step["value"]["key"]: step["value"] for step in raw})
    questionnaire.steps = json.dumps(raw)
    questionnaire.save()


def question_of(steps, step_key, question_key):
    return next(
        item["value"] for item in steps[step_key]["questions"] if item["value"]["key"] == question_key
    )


# Back, Forward and reload ------------------------------------------------------------


def test_back_forward_and_reload_without_javascript(demo, new_page):
    page = new_page(javascript=False)
    page.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(page, DEMO_ANSWERS[:3], javascript=False)
    wait_for_step(page, 4)
    assert_wizard_address(page)

    # Every step is a GET of its own address (post/redirect/get), so Back never sends a form again.
    for _ in range(2):
        response = page.go_back()
        assert response is None or (response.request.method == "GET" and response.ok)
    assert_real_page(page)
    wait_for_step(page, 2)
    assert_wizard_address(page)
    # This address was made before step 2 was answered: what it shows comes from the server's
    # newest answers of this reader, not from the older token in the address.
    assert_step_two_kept(page)

    page.go_forward()
    assert_real_page(page)
    wait_for_step(page, 3)
    assert_step_three_kept(page)

    response = page.reload()
    assert response.ok and response.request.method == "GET"
    wait_for_step(page, 3)
    assert_step_three_kept(page)

    next_step(page, javascript=False)
    answer_steps(page, DEMO_ANSWERS[3:], javascript=False, first=4)
    wait_for_step(page, 7)
    contact_address = page.url
    fill_contact(page)
    submit(page, javascript=False)
    assert_wizard_address(page, "leadwizard-done")
    # Contact details travel in the post only, never in an address.
    for address in (contact_address, page.url):
        assert "erika" not in address.lower() and "Muster" not in address

    # Back from the confirmation: the request is in, so the contact step's address confirms it again.
    response = page.go_back()
    assert page.url == contact_address
    assert response is None or response.request.method == "GET"
    assert_real_page(page)
    expect(page.locator(WIZARD)).to_contain_text(SUCCESS)
    expect(page.locator(f'{WIZARD} input[name="contact-email"]')).to_have_count(0)

    lead = Lead.objects.get()
    assert lead.answers == stored_answers()
    assert lead.status == Lead.Status.NEW


def test_back_forward_and_reload_with_javascript(demo, page):
    page.goto(demo.url + WIZARD_ARTICLE)
    # A marker on window survives only as long as no page load happens.
    page.evaluate("() => { window.__noReload = 'still here'; }")
    answer_steps(page, DEMO_ANSWERS[:3])
    wait_for_step(page, 4)
    assert_wizard_address(page)
    assert page.evaluate("() => history.length") >= 4

    # Back: wizard.js fetches the place of each history entry and swaps it in.
    page.go_back()
    wait_for_step(page, 3)
    assert_step_three_kept(page)
    page.go_back()
    wait_for_step(page, 2)
    assert_step_two_kept(page)
    # The page's own entry was replaced by the first step's address, with the answer given.
    page.go_back()
    wait_for_step(page, 1)
    assert_wizard_address(page)
    expect(page.locator(f'input[name="q-industry"][value="{DEMO_ANSWERS[0]["industry"]}"]')).to_be_checked()
    assert page.evaluate("() => window.__noReload") == "still here"

    page.go_forward()
    wait_for_step(page, 2)
    assert_step_two_kept(page)
    page.go_forward()
    wait_for_step(page, 3)
    assert_step_three_kept(page)
    assert page.evaluate("() => window.__noReload") == "still here"

    # Reload: the server renders the address the script put into the bar, at the same step.
    page.reload()
    assert page.evaluate("() => window.__noReload") is None
    wait_for_step(page, 3)
    assert_step_three_kept(page)

    next_step(page, javascript=True)
    answer_steps(page, DEMO_ANSWERS[3:], first=4)
    wait_for_step(page, 7)
    fill_contact(page)
    submit(page)
    assert_wizard_address(page, "leadwizard-done")

    # Back from the confirmation to the contact step's entry: the confirmation again, no second form.
    page.go_back()
    assert_wizard_address(page)
    expect(page.locator(WIZARD)).to_contain_text(SUCCESS)
    expect(page.locator(f'{WIZARD} input[name="contact-email"]')).to_have_count(0)
    assert page.console_errors == []

    lead = Lead.objects.get()
    assert lead.answers == stored_answers()


# Rate limits --------------------------------------------------------------------------


def within_one_window(window, seconds_needed):
    """Wait, when need be, until the limit's fixed window has ``seconds_needed`` left.

    The limits count in fixed windows (``protection.hit_rate_limit``): a window that
    ended between two requests of a test would let the second one through. Long windows
    make the wait rare (a step window of an hour ends on the hour, a day's at midnight UTC).
    """
    left = seconds_until_reset(window)
    if left < seconds_needed:
        time.sleep(left + 1)


def test_a_reader_stopped_by_the_step_limit_keeps_the_step_and_is_told_to_wait(demo, new_page, settings, axe):
    cache.clear()  # the limit counts per address in the cache: earlier tests must not count
    settings.LEADWIZARD_STEP_RATE_LIMIT = (2, 3600)
    within_one_window(3600, seconds_needed=120)
    page = new_page()
    page.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(page, DEMO_ANSWERS[:2])

    # The third step from this address is over the limit: the reader stays on it with what they ticked.
    wait_for_step(page, 3)
    fill_step(page, DEMO_ANSWERS[2])
    with page.expect_response(lambda response: response.request.method == "POST") as stopped:
        press_next(page)
    assert stopped.value.status == 429
    notice = page.locator(f"{WIZARD} .leadwizard__notice")
    expect(notice).to_have_text(BLOCKED_NOTICE)
    wait_for_step(page, 3)
    assert_step_three_kept(page)
    assert_axe_clean(axe, page, "rate-limit notice")

    # A reader without JavaScript at the same address: a full page answered with 429, answer kept.
    plain = new_page(javascript=False)
    plain.goto(demo.url + WIZARD_ARTICLE)
    fill_step(plain, DEMO_ANSWERS[0])
    with plain.expect_navigation():
        press_next(plain)
    assert plain.evaluate("() => performance.getEntriesByType('navigation')[0].responseStatus") == 429
    expect(plain.locator(f"{WIZARD} .leadwizard__notice")).to_have_text(BLOCKED_NOTICE)
    wait_for_step(plain, 1)
    expect(plain.locator(f'input[name="q-industry"][value="{DEMO_ANSWERS[0]["industry"]}"]')).to_be_checked()

    # Once the limit is over the first reader goes on from where they were stopped.
    cache.clear()
    press_next(page)
    wait_for_step(page, 4)
    expect(page.locator(f"{WIZARD} .leadwizard__notice")).to_have_count(0)
    assert Lead.objects.count() == 0


def test_a_request_over_the_submit_limit_is_confirmed_and_kept_as_spam(demo, new_page, settings):
    cache.clear()
    settings.LEADWIZARD_SUBMIT_RATE_LIMIT = (1, 86400)
    within_one_window(86400, seconds_needed=240)
    for email, javascript in [("erste@firma.example", True), ("zweite@firma.example", False)]:
        page = new_page(javascript=javascript)
        page.goto(demo.url + WIZARD_ARTICLE)
        answer_steps(page, DEMO_ANSWERS, javascript=javascript)
        fill_contact(page, email=email)
        # The second reader from the same address is over the limit, yet sees the normal confirmation.
        submit(page, javascript=javascript)

    first = Lead.objects.get(email="erste@firma.example")
    second = Lead.objects.get(email="zweite@firma.example")
    assert first.status == Lead.Status.NEW
    assert first.spam_reasons == []
    assert second.status == Lead.Status.SPAM
    assert second.spam_reasons == ["rate_limit"]
    assert second.answers == stored_answers()


# Edits while a reader is mid-way -------------------------------------------------------


def test_an_editor_changes_the_questions_while_a_reader_is_mid_way(demo, page, axe):
    page.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(page, DEMO_ANSWERS[:2])
    wait_for_step(page, 3)

    # An option added and a label changed: nothing the reader answered becomes invalid.
    def add_option(steps):
        question = question_of(steps, "integrations", "integrations")
        question["label"] = "Mit welchen Programmen soll das CRM verbunden werden?"
        question["options"].append(
            {"type": "item", "id": str(uuid.uuid4()), "value": {"key": "ki", "label": "KI-Assistenten"}}
        )

    edit_questionnaire(add_option)
    fill_step(page, DEMO_ANSWERS[2])
    press_next(page)
    wait_for_step(page, 4)
    expect(page.locator(WIZARD)).to_contain_text("Mit welchen Programmen soll das CRM verbunden werden?")
    expect(page.locator('input[name="q-integrations"][value="ki"]')).to_have_count(1)
    expect(page.locator(f"{WIZARD} .leadwizard__notice")).to_have_count(0)
    answer_steps(page, DEMO_ANSWERS[3:5], first=4)
    wait_for_step(page, 6)

    # The option the reader chose on step 1 is removed: only that question is asked again.
    chosen = DEMO_ANSWERS[0]["industry"]

    def remove_chosen_industry(steps):
        question = question_of(steps, "industry", "industry")
        question["options"] = [item for item in question["options"] if item["value"]["key"] != chosen]

    edit_questionnaire(remove_chosen_industry)
    fill_step(page, DEMO_ANSWERS[5])
    press_next(page)
    wait_for_step(page, 1)
    expect(page.locator(f"{WIZARD} .leadwizard__notice")).to_have_text(CHANGED_NOTICE)
    expect(page.locator(f'input[name="q-industry"][value="{chosen}"]')).to_have_count(0)
    expect(page.locator('input[name="q-industry"]:checked')).to_have_count(0)
    assert_axe_clean(axe, page, "notice after an edit")

    # Answered again, the reader goes straight on to the contact step.
    fill_step(page, {"industry": "handel"})
    press_next(page)
    wait_for_step(page, 7)
    expect(page.locator(f"{WIZARD} .leadwizard__count")).to_be_visible()
    fill_contact(page)
    submit(page)
    assert Lead.objects.get().answers == {
        **stored_answers(),
        "industry": "handel",
    }


# The conditional step ------------------------------------------------------------------


def test_the_sites_step_follows_only_a_yes_to_several_locations(demo, page, axe):
    page.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(page, DEMO_ANSWERS[:5])
    wait_for_step(page, 6)
    fill_step(page, {**DEMO_ANSWERS[5], "multi_branch": "yes"})
    press_next(page)

    # "Yes": one more step, and the count follows the steps this reader sees.
    wait_for_step(page, 7, total=8)
    expect(page.locator(f"{WIZARD} .leadwizard__step-title")).to_have_text("Standorte")
    assert_axe_clean(axe, page, "conditional step")
    page.locator('input[name="q-sites"]').fill("1")
    press_next(page)
    expect(page.locator(f"{WIZARD} [data-leadwizard-errors]")).to_be_visible()  # at least 2 sites
    page.locator('input[name="q-sites"]').fill("3")
    press_next(page)
    wait_for_step(page, 8, total=8)

    # Back to the details, "no" this time: the step and its answer are gone.
    page.locator(WIZARD).locator('button[value="back"]').click()
    wait_for_step(page, 7, total=8)
    expect(page.locator('input[name="q-sites"]')).to_have_value("3")
    page.locator(WIZARD).locator('button[value="back"]').click()
    wait_for_step(page, 6, total=8)
    fill_step(page, {"multi_branch": "no"})
    press_next(page)
    wait_for_step(page, 7, total=7)
    expect(page.locator(f"{WIZARD} .leadwizard__count")).to_be_visible()
    fill_contact(page)
    submit(page)

    lead = Lead.objects.get()
    assert "sites" not in lead.answers
    assert lead.answers == stored_answers()


# Numbers as the reader's language writes them ----------------------------------------


def test_numbers_are_read_and_shown_in_the_readers_language(demo, new_page):
    english = new_page(locale="en-GB")
    english.goto(demo.url + localized_path(WIZARD_ARTICLE, "en"))
    wait_for_step(english, 1, language="en")
    fill_step(english, DEMO_ANSWERS[0])
    press_next(english)
    wait_for_step(english, 2, language="en")
    fill_step(english, {"employees": "2,000,000", "users": "10"})
    press_next(english)
    error = english.locator(f"{WIZARD} .leadwizard__error")
    expect(error).to_contain_text("between 1 and 1,000,000")
    fill_step(english, {"employees": "1,500"})
    press_next(english)
    wait_for_step(english, 3, language="en")
    for number, answers in enumerate(DEMO_ANSWERS[2:], start=3):
        wait_for_step(english, number, language="en")
        fill_step(english, answers)
        press_next(english)
    wait_for_step(english, 7, language="en")
    fill_contact(english)
    english.locator(WIZARD).locator('button[value="submit"]').click()
    expect(english.locator(WIZARD)).to_contain_text("We have received your request")
    lead = Lead.objects.get()
    assert lead.locale == "en"
    assert lead.answers["employees"] == 1500

    # German readers write the same numbers with dots.
    german = new_page()
    german.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(german, DEMO_ANSWERS[:1])
    fill_step(german, {"employees": "2.000.000", "users": "10"})
    press_next(german)
    expect(german.locator(f"{WIZARD} .leadwizard__error")).to_contain_text("zwischen 1 und 1.000.000")
    fill_step(german, {"employees": "1.500"})
    press_next(german)
    wait_for_step(german, 3)
    german.locator(WIZARD).locator('button[value="back"]').click()
    wait_for_step(german, 2)
    expect(german.locator('input[name="q-employees"]')).to_have_value("1500")


# Readers whose browser blocks cookies ------------------------------------------------


@pytest.fixture
def cookieless_page(browser, tmp_path):
    """A page in a Chromium profile set to "Block all cookies", as a reader may set their browser.

    Playwright's request interception cannot stand in for this: it does not see the requests a
    redirect leads to (every step without JavaScript), and route.fetch() keeps the cookies it
    receives. Returns ``make(javascript)``; each page records its requests and responses.
    """
    contexts = []

    def make(javascript=True):
        profile = tmp_path / f"profile-{len(contexts)}"
        (profile / "Default").mkdir(parents=True)
        # Chromium's own setting behind chrome://settings/cookies "Block all cookies" (2 = block).
        preferences = {"profile": {"default_content_setting_values": {"cookies": 2}}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
        context = browser.browser_type.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            java_script_enabled=javascript,
            viewport={"width": 1280, "height": 900},
            locale="de-DE",
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.pages[0] if context.pages else context.new_page()
        page.finished = []
        page.on("requestfinished", lambda request: page.finished.append(request))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_reader_whose_browser_blocks_cookies_finishes_the_wizard(demo, cookieless_page, javascript):
    page = cookieless_page(javascript)
    page.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(page, DEMO_ANSWERS, javascript=javascript)
    wait_for_step(page, 7)
    fill_contact(page)
    submit(page, javascript=javascript)

    lead = Lead.objects.get()
    assert lead.answers == stored_answers()
    assert lead.status == Lead.Status.NEW

    # The site did offer Django's CSRF cookie, and no request ever carried a cookie back:
    # every step was accepted by where it came from (Sec-Fetch-Site / Origin) alone.
    posts = [request for request in page.finished if request.method == "POST"]
    assert len(posts) == len(DEMO_ANSWERS) + 1
    assert all("cookie" not in request.all_headers() for request in page.finished)
    offered = [
        request.response().header_value("set-cookie") or "" for request in page.finished if request.response()
    ]
    assert any(header.startswith("csrftoken=") for header in offered)
    assert page.context.cookies() == []


# Why these vendors ---------------------------------------------------------------------


def test_reasons_for_the_vendors_found_and_how_the_selection_works(demo, page, axe):
    expected = expected_match_count()
    assert expected >= 1  # the demo answers must find vendors, or there would be no reasons to show
    page.goto(demo.url + WIZARD_ARTICLE)
    answer_steps(page, DEMO_ANSWERS)
    wait_for_step(page, 7)

    # Closed at first, so that the contact form stays the main thing on the step.
    why = page.locator(f"{WIZARD} details.leadwizard__why")
    expect(why).to_have_count(1)
    assert why.evaluate("(element) => element.open") is False
    why.locator("summary").click()
    assert why.evaluate("(element) => element.open") is True
    expect(why.locator("summary")).to_have_text("Welche Systeme passen und warum")
    matches = why.locator(".leadwizard__match")
    expect(matches).to_have_count(expected)
    for index in range(expected):
        match = matches.nth(index)
        expect(match.locator(".leadwizard__match-name")).not_to_be_empty()
        expect(match.locator("[data-met]").first).to_be_visible()
    expect(why.locator('[data-met="true"]').first).to_contain_text("Erfüllt:")
    link = page.locator(f"{WIZARD} a[data-explanation-link]")
    expect(link).to_have_text("Wie die Auswahl funktioniert")
    expect(link).to_have_attribute("href", "/#ranking-explanation")
    assert_axe_clean(axe, page, "contact step with the reasons open")

    fill_contact(page)
    submit(page)
    expect(page.locator(f"{WIZARD} .leadwizard__success a[data-explanation-link]")).to_be_visible()

    page.get_by_role("link", name="Longlist anzeigen").click()
    vendors = page.locator(f"{WIZARD} .leadwizard__vendor")
    expect(vendors).to_have_count(expected)
    for index in range(expected):
        expect(vendors.nth(index).locator("[data-met]").first).to_be_visible()
    assert_axe_clean(axe, page, "longlist with reasons")

    # The link leads to the home page's explanation, which says whether vendors pay.
    page.locator(f"{WIZARD} a[data-explanation-link]").click()
    expect(page).to_have_url(demo.url + "/#ranking-explanation")
    payment = page.locator("#ranking-explanation .ranking-explanation__payment[data-vendor-payment]")
    expect(payment).to_be_visible()
    expect(page.locator("#ranking-explanation")).to_contain_text("Bezahlen Anbieter für die Aufnahme?")
    assert_axe_clean(axe, page, "home page with the payment section")
    assert page.console_errors == []
