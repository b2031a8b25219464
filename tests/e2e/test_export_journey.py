"""A marketer exports the filtered leads for a newsletter tool: columns in her order, German Excel CSV, a preset."""

import csv
import re

from playwright.sync_api import expect

from leadwizard.exports import columns_for
from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.models import ExportPreset, Lead, Questionnaire
from tests.e2e.test_staff_journeys import log_in, make_user
from tests.factories import LeadFactory

MENU = "/admin/leadwizard/exports/"
# The order she wants in the file: not the export's usual one (answers first, then name, then e-mail).
WANTED = ["name", "email", "answers.industry"]


def download_csv(page):
    """Press "Export" and read the downloaded file as a German Excel CSV (semicolons, BOM)."""
    with page.expect_download() as download_info:
        page.locator('button[name="action"][value="export"]:not(.w-sr-only)').click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    return list(csv.reader(text.splitlines(), delimiter=";"))


def column_keys(page):
    return page.locator("tr[data-leadwizard-column]").evaluate_all(
        "rows => rows.map(row => row.dataset.leadwizardColumn)"
    )


def ticked(page):
    return page.locator('input[name="columns"]:checked').evaluate_all("boxes => boxes.map(box => box.value)")


def test_marketer_exports_chosen_columns_and_reuses_the_preset(demo, page, django_user_model):
    marketer = make_user(django_user_model, "marketing-mia", MARKETING_GROUP_NAME)
    questionnaire = Questionnaire.objects.get(locale__language_code="de")
    for number in range(3):
        LeadFactory(
            questionnaire=questionnaire,
            industry="handwerk",
            answers={"industry": "handwerk"},
            name=f"Handwerk {number}",
            email=f"handwerk{number}@betrieb.example",
        )
    for number in range(2):
        LeadFactory(
            questionnaire=questionnaire,
            industry="handel",
            answers={"industry": "handel"},
            name=f"Handel {number}",
            email=f"handel{number}@laden.example",
        )
    filtered = Lead.objects.filter(industry="handwerk")
    headers = dict(columns_for(filtered, language="de"))

    log_in(page, demo.url, marketer.username)
    page.goto(demo.url + "/admin/leadwizard/leads/?industry=handwerk")
    expect(page.locator("table.listing tbody tr")).to_have_count(3)

    # The export action in the listing's header opens the menu, with the listing's filter.
    menu_link = page.locator(f'a[href="{MENU}?industry=handwerk"]')
    if not menu_link.is_visible():
        page.locator("header").locator("[data-w-dropdown-target='toggle']").first.click()
    menu_link.click()
    expect(page).to_have_url(re.compile(re.escape(MENU) + r"\?industry=handwerk$"))
    expect(page.locator("main")).to_contain_text("3")

    # She keeps only name, e-mail and the industry answer ...
    for box in page.locator('input[name="columns"]').all():
        box.uncheck()
    for key in WANTED:
        page.locator(f'input[name="columns"][value="{key}"]').check()
    # ... orders them by position numbers: name first, e-mail second (the answer follows) ...
    for key, position in (("name", "1"), ("email", "2")):
        page.locator(f'input[name="position_{key}"]').fill(position)
        page.locator(f'input[name="position_{key}"]').blur()
    assert column_keys(page)[:3] == WANTED
    # ... and tries the buttons: e-mail up before the name, and back down.
    page.locator('tr[data-leadwizard-column="email"] [data-leadwizard-move="up"]').click()
    assert column_keys(page)[:2] == ["email", "name"]
    page.locator('tr[data-leadwizard-column="email"] [data-leadwizard-move="down"]').click()
    assert column_keys(page)[:3] == WANTED
    expect(page.locator('input[name="position_answers.industry"]')).to_have_value("3")
    assert ticked(page) == WANTED

    # German Excel dialect and German headers.
    page.locator('input[name="dialect"][value="excel_de"]').check()
    page.locator('input[name="language"][value="de"]').check()
    rows = download_csv(page)
    assert rows[0] == [headers[key] for key in WANTED]
    assert sorted(row[:2] for row in rows[1:]) == [
        [f"Handwerk {number}", f"handwerk{number}@betrieb.example"] for number in range(3)
    ]
    assert all(row[2] and row[2] != "handel" for row in rows[1:])  # the answer, of the filtered leads only

    # She saves the choice as a preset for the newsletter tool.
    page.locator('input[name="preset_name"]').fill("Newsletter-Tool")
    page.locator('button[name="action"][value="save"]').click()
    expect(page.locator(".messages")).to_contain_text("Newsletter-Tool")
    preset = ExportPreset.objects.get(name="Newsletter-Tool")
    assert (preset.columns, preset.dialect, preset.language, preset.owner) == (
        WANTED,
        "excel_de",
        "de",
        marketer,
    )

    # Next time: the menu starts with every column; loading the preset brings her choice back.
    page.goto(demo.url + MENU + "?industry=handwerk")
    assert len(ticked(page)) > len(WANTED)
    page.locator('select[name="preset"]').select_option(label="Newsletter-Tool")
    page.locator("#leadwizard-preset").locator("xpath=ancestor::form").locator(
        'button[type="submit"]'
    ).click()
    expect(page).to_have_url(re.compile(r"industry=handwerk&preset=\d+$"))
    # The address changes when the response starts; wait for the new page's rows, not the old.
    page.wait_for_load_state()
    for position, key in enumerate(WANTED):
        expect(page.locator("tr[data-leadwizard-column]").nth(position)).to_have_attribute(
            "data-leadwizard-column", key
        )
    assert column_keys(page)[:3] == WANTED
    assert ticked(page) == WANTED
    expect(page.locator('input[name="dialect"][value="excel_de"]')).to_be_checked()
    assert download_csv(page) == rows
    assert not page.console_errors
