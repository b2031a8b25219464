"""Readers in a real browser: German with and without JavaScript, English, and mistakes."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from leadwizard.models import Lead
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

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

ARTICLE = "/magazin/crm-auswahl-in-fuenf-schritten/"
WIZARD_ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"


def wait_for_step(page, number, total=7, language="de"):
    text = f"Schritt {number} von {total}" if language == "de" else f"Step {number} of {total}"
    expect(page.locator(f"{WIZARD} .leadwizard__progress-label")).to_have_text(text)


def test_german_reader_with_javascript(demo, page):
    page.goto(demo.url + "/")
    page.locator(f'main a[href="{ARTICLE}"]').first.click()
    expect(page).to_have_url(demo.url + ARTICLE)
    page.locator(f'.related-articles a[href="{WIZARD_ARTICLE}"]', has_text="Lesen Sie weiter").click()
    expect(page).to_have_url(demo.url + WIZARD_ARTICLE)
    expect(page.locator(WIZARD)).to_contain_text("Starten Sie Ihre CRM-Auswahl")

    # A marker on window survives only if no page load happens.
    page.evaluate("() => { window.__noReload = 'still here'; }")
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        wait_for_step(page, number)
        fill_step(page, answers)
        press_next(page)
        if number == 2:
            # Back once: the answers of step 2 are still there.
            wait_for_step(page, 3)
            page.locator(WIZARD).locator('button[value="back"]').click()
            wait_for_step(page, 2)
            expect(page.locator('input[name="q-employees"]')).to_have_value("25")
            expect(page.locator('input[name="q-users"]')).to_have_value("10")
            press_next(page)

    count = page.locator(f"{WIZARD} .leadwizard__count")
    expect(count).to_be_visible()
    expected = expected_match_count()
    expect(count).to_have_text(f"{expected} Systeme gefunden" if expected != 1 else "1 System gefunden")
    assert page.evaluate("() => document.activeElement.classList.contains('leadwizard__count')")

    fill_contact(page)
    page.locator(WIZARD).locator('button[value="submit"]').click()
    expect(page.locator(WIZARD)).to_contain_text("Ihre Anfrage ist erfolgreich bei uns eingegangen")
    assert page.evaluate("() => window.__noReload") == "still here"
    # The swap puts the reader's new place into the address bar (history.pushState): still the
    # article, now with the confirmation's token, so a reload shows the confirmation again.
    address = urlsplit(page.url)
    assert address.path == WIZARD_ARTICLE
    assert "leadwizard-done" in parse_qs(address.query)

    page.get_by_role("link", name="Longlist anzeigen").click()
    expect(page.locator(f"{WIZARD} .leadwizard__vendor")).to_have_count(expected)
    page.get_by_role("link", name="Auswahl neu starten").first.click()
    wait_for_step(page, 1)
    expect(page.locator('input[name="q-industry"]:checked')).to_have_count(0)
    assert page.evaluate("() => window.__noReload") == "still here"
    assert page.console_errors == []

    lead = Lead.objects.get()
    assert lead.answers == stored_answers()
    assert lead.locale == "de"
    assert lead.match_count == expected
    assert lead.source_url.endswith(WIZARD_ARTICLE)
    assert lead.status == Lead.Status.NEW


def test_german_reader_without_javascript(demo, new_page):
    page = new_page(javascript=False)
    page.goto(demo.url + WIZARD_ARTICLE)
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        wait_for_step(page, number)
        fill_step(page, answers)
        with page.expect_navigation():
            press_next(page)
        # Each step is a full page, anchored at the wizard.
        assert re.search(r"#leadwizard-[0-9a-f-]+$", page.url)
    expect(page.locator(f"{WIZARD} .leadwizard__count")).to_contain_text("Systeme gefunden")
    fill_contact(page)
    with page.expect_navigation():
        page.locator(WIZARD).locator('button[value="submit"]').click()
    assert "leadwizard-done=" in page.url
    expect(page.locator(WIZARD)).to_contain_text("Ihre Anfrage ist erfolgreich bei uns eingegangen")
    with page.expect_navigation():
        page.get_by_role("link", name="Longlist anzeigen").click()
    expect(page.locator(f"{WIZARD} .leadwizard__vendor")).to_have_count(expected_match_count())
    assert Lead.objects.get().answers == stored_answers()


def test_english_reader(demo, page):
    page.goto(demo.url + ARTICLE)
    page.locator(".language-switcher").get_by_role("link", name="English").click()
    # English pages have English addresses.
    expect(page).to_have_url(demo.url + localized_path(ARTICLE, "en"))
    english_wizard_article = localized_path(WIZARD_ARTICLE, "en")
    page.locator(f'.related-articles a[href="{english_wizard_article}"]', has_text="Read on").click()
    expect(page).to_have_url(demo.url + english_wizard_article)
    expect(page.locator(WIZARD)).to_contain_text("Start your CRM selection")
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        wait_for_step(page, number, language="en")
        fill_step(page, answers)
        press_next(page)
    expect(page.locator(f"{WIZARD} .leadwizard__count")).to_contain_text("systems found")
    fill_contact(page)
    page.locator(WIZARD).locator('button[value="submit"]').click()
    expect(page.locator(WIZARD)).to_contain_text("We have received your request")
    lead = Lead.objects.get()
    assert lead.locale == "en"
    assert lead.answers == stored_answers()
    assert lead.questionnaire.locale.language_code == "en"


def test_reader_errors_are_shown_and_focused(demo, page):
    page.goto(demo.url + WIZARD_ARTICLE)
    press_next(page)
    summary = page.locator(f"{WIZARD} [data-leadwizard-errors]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link")
    target = link.get_attribute("href")
    field = page.locator(target)
    expect(field).to_have_attribute("aria-invalid", "true")
    link.click()
    expect(field).to_be_focused()

    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        wait_for_step(page, number)
        fill_step(page, answers)
        press_next(page)
    wait_for_step(page, 7)
    fill_contact(page, email="erika-at-muster")
    page.locator(WIZARD).locator('button[value="submit"]').click()
    summary = page.locator(f"{WIZARD} [data-leadwizard-errors]")
    expect(summary).to_be_focused()
    email = page.locator('input[name="contact-email"]')
    expect(email).to_have_attribute("aria-invalid", "true")
    error_id = email.get_attribute("aria-describedby")
    expect(page.locator(f"#{error_id}")).to_contain_text("gültige E-Mail-Adresse")
    assert Lead.objects.count() == 0
