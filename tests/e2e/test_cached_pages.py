"""Readers of a cached article page in a real browser: each gets a working wizard and their own lead."""

import pytest
from playwright.sync_api import expect

from leadwizard.models import Lead
from tests.e2e.browser import DEMO_ANSWERS, WIZARD, fill_contact, fill_step, press_next

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

WIZARD_ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"


def complete_wizard(page, email, javascript):
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        expect(page.locator(f"{WIZARD} .leadwizard__progress-label")).to_have_text(f"Schritt {number} von 7")
        fill_step(page, answers)
        if javascript:
            press_next(page)
        else:
            with page.expect_navigation():
                press_next(page)
    expect(page.locator(f"{WIZARD} .leadwizard__count")).to_contain_text("Systeme gefunden")
    fill_contact(page, email=email)
    page.locator(WIZARD).locator('button[value="submit"]').click()
    expect(page.locator(WIZARD)).to_contain_text("Ihre Anfrage ist erfolgreich bei uns eingegangen")


def test_readers_of_a_cached_page_each_submit_their_own_lead(demo, new_page, settings):
    settings.PAGE_CACHE_ENABLED = True
    readers = [
        ("erste@firma.example", True, "miss"),
        ("zweite@firma.example", True, "hit"),
        ("dritte@firma.example", False, "hit"),
    ]
    for email, javascript, expected_cache in readers:
        page = new_page(javascript=javascript)
        response = page.goto(demo.url + WIZARD_ARTICLE)
        assert response.headers.get("x-page-cache") == expected_cache
        complete_wizard(page, email, javascript)
        assert page.console_errors == []

    assert sorted(Lead.objects.values_list("email", flat=True)) == sorted(email for email, *_ in readers)
    assert Lead.objects.values("submission_key").distinct().count() == len(readers)
