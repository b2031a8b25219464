"""Accessibility in a real browser: axe-core (WCAG 2.0–2.2 A/AA), keyboard only, mobile width."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from leadwizard.deliveries.results import results_url
from leadwizard.models import Lead
from tests.e2e.browser import DEMO_ANSWERS, WIZARD, fill_contact, fill_step, localized_path, press_next

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

WIZARD_ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"


def wait_for_step(page, number):
    expect(page.locator(f"{WIZARD} progress")).to_have_attribute("value", str(number))


@pytest.mark.parametrize("language", ["de", "en"], ids=["german", "english"])
def test_no_axe_violations_on_pages_and_every_wizard_state(demo, page, axe, language):
    violations = {}

    def check(name):
        found = axe(page)
        if found:
            violations[name] = found

    for name, path in [("home", "/"), ("article index", "/magazin/"), ("article", WIZARD_ARTICLE)]:
        page.goto(demo.url + localized_path(path, language))
        check(name)

    page.goto(demo.url + localized_path(WIZARD_ARTICLE, language))
    press_next(page)  # nothing chosen: the error state
    expect(page.locator(f"{WIZARD} [data-leadwizard-errors]")).to_be_visible()
    check("wizard error state")
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        wait_for_step(page, number)
        check(f"wizard step {number}")
        fill_step(page, answers)
        press_next(page)
    wait_for_step(page, len(DEMO_ANSWERS) + 1)
    check("wizard contact step")
    fill_contact(page)
    page.locator(WIZARD).locator('button[value="submit"]').click()
    expect(page.locator(f"{WIZARD} .leadwizard__success")).to_be_visible()
    check("wizard success step")
    page.locator(f"{WIZARD} .leadwizard__success a").first.click()
    expect(page.locator(f"{WIZARD} .leadwizard__longlist")).to_be_visible()
    check("wizard longlist")

    # The results page the confirmation mail links to.
    page.goto(demo.url + urlsplit(results_url(Lead.objects.latest("created_at"))).path)
    expect(page.locator("#results-longlist")).to_be_visible()
    check("results page")

    assert violations == {}


def test_wizard_by_keyboard_alone(demo, page):
    page.goto(demo.url + WIZARD_ARTICLE)
    # Tab from the top of the page to the first answer of the wizard.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "q-industry":
            break
    else:
        pytest.fail("Tab never reached the wizard's first question")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    wait_for_step(page, 2)
    assert page.evaluate("() => document.activeElement.closest('[data-leadwizard]') !== null")

    # Step 2: type the numbers, Enter submits.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "q-employees"
    page.keyboard.type("25")
    page.keyboard.press("Enter")
    wait_for_step(page, 3)

    # Step 3: Tab to the first checkbox, tick it with Space, Enter sends the step.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "q-uses":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    wait_for_step(page, 4)
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused.strip()  # focus sits on the new step's heading, not on <body>


def test_no_horizontal_scrolling_on_a_phone(demo, new_page):
    page = new_page(viewport={"width": 390, "height": 844})

    def assert_fits(name):
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], f"{name}: document is {width[0]}px wide on a {width[1]}px screen"

    page.goto(demo.url + WIZARD_ARTICLE)
    assert_fits("article")
    for number, answers in enumerate(DEMO_ANSWERS, start=1):
        wait_for_step(page, number)
        assert_fits(f"wizard step {number}")
        fill_step(page, answers)
        press_next(page)
    wait_for_step(page, len(DEMO_ANSWERS) + 1)
    assert_fits("wizard contact step")
