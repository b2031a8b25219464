"""Helpers for driving the demo site in the browser."""

from leadwizard.catalogue import source_vendors
from leadwizard.matching import answers_by_role, match_vendors, option_orders
from leadwizard.models import Questionnaire
from website.demo.datafiles import demo_answers

DEMO_ANSWERS = demo_answers()

WIZARD = "[data-leadwizard]"


def localized_path(german_path, language):
    """The address of a German demo page in ``language``: English pages have English slugs."""
    if language == "de":
        return german_path
    from wagtail.models import Locale, Page

    if german_path == "/":
        return f"/{language}/"
    slug = german_path.strip("/").split("/")[-1]
    german = Page.objects.get(slug=slug, locale__language_code="de")
    return german.get_translation(Locale.objects.get(language_code=language)).url


def stored_answers():
    """DEMO_ANSWERS as a lead stores them."""
    answers = {}
    for step in DEMO_ANSWERS:
        for key, value in step.items():
            answers[key] = int(value) if key in {"employees", "users"} else value
    return answers


def expected_match_count(language="de"):
    questionnaire = Questionnaire.objects.get(locale__language_code=language)
    definition = questionnaire.definition
    matches = match_vendors(
        answers_by_role(definition, stored_answers()),
        [vendor.to_profile() for vendor in source_vendors(questionnaire)],
        option_orders=option_orders(definition),
    )
    return len(matches)


def fill_step(page, answers):
    """Fill the current wizard step's fields (radios, checkboxes, numbers) without submitting."""
    wizard = page.locator(WIZARD)
    for key, value in answers.items():
        if isinstance(value, list):
            for item in value:
                wizard.locator(f'input[name="q-{key}"][value="{item}"]').check()
        elif wizard.locator(f'input[name="q-{key}"][type="radio"]').count():
            wizard.locator(f'input[name="q-{key}"][value="{value}"]').check()
        else:
            wizard.locator(f'input[name="q-{key}"]').fill(value)


def press_next(page):
    page.locator(WIZARD).locator('button[value="next"]').click()


def step_label(page):
    return page.locator(f"{WIZARD} .leadwizard__progress-label").inner_text()


def fill_contact(page, name="Erika Mustermann", email="erika@muster.example", consent=True):
    wizard = page.locator(WIZARD)
    wizard.locator('input[name="contact-name"]').fill(name)
    wizard.locator('input[name="contact-company"]').fill("Muster GmbH")
    wizard.locator('input[name="contact-email"]').fill(email)
    wizard.locator('input[name="contact-phone"]').fill("+49 30 1234567")
    if consent:
        wizard.locator('input[name="contact-consent"]').check()
