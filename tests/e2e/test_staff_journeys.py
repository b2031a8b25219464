"""Staff in a real browser: a marketer works and exports leads; an editor without lead rights sees none."""

import csv
import io
import re

from django.contrib.auth.models import Group
from openpyxl import load_workbook
from playwright.sync_api import expect

from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.models import Lead
from tests.factories import LeadFactory

PASSWORD = "e2e-Passwort-123"


def log_in(page, base_url, username):
    page.goto(base_url + "/admin/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('button[type="submit"]').click()
    expect(page).to_have_url(base_url + "/admin/")


def make_user(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_marketer_filters_works_and_exports_leads(demo, page, django_user_model):
    marketer = make_user(django_user_model, "marketing-maria", MARKETING_GROUP_NAME)
    questionnaire = Lead._meta.get_field("questionnaire").related_model.objects.get(
        locale__language_code="de"
    )
    handwerk = [
        LeadFactory(
            questionnaire=questionnaire, industry="handwerk", name=f"Handwerk {n}", phone="+49 30 111"
        )
        for n in range(3)
    ]
    LeadFactory(questionnaire=questionnaire, industry="handel", name="Handel 1")
    LeadFactory(questionnaire=questionnaire, industry="handel", name='=HYPERLINK("https://evil.example")')

    log_in(page, demo.url, marketer.username)
    page.get_by_role("link", name="Leads").first.click()
    expect(page.locator("table.listing tbody tr")).to_have_count(5)

    # Filter by industry through the listing's filter form.
    page.goto(demo.url + "/admin/leadwizard/leads/?industry=handwerk")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(3)

    # Open one lead, then set status and assignee.
    rows.filter(has_text="Handwerk 0").locator("a").first.click()
    expect(page.locator("main")).to_contain_text("Handwerk 0")
    page.goto(demo.url + f"/admin/leadwizard/leads/edit/{handwerk[0].pk}/")
    page.locator('select[name="status"]').select_option("in_progress")
    page.locator('select[name="assignee"]').select_option(str(marketer.pk))
    page.get_by_role("button", name=re.compile("^(Speichern|Save)$")).click()
    expect(page.locator(".messages")).to_be_visible()
    handwerk[0].refresh_from_db()
    assert handwerk[0].status == Lead.Status.IN_PROGRESS
    assert handwerk[0].assignee == marketer

    # Export the filtered list as CSV and XLSX: exactly the three Handwerk leads.
    for export_format in ("csv", "xlsx"):
        with page.expect_download() as download_info:
            page.evaluate(
                "(url) => { const a = document.createElement('a'); a.href = url; document.body.appendChild(a); a.click(); }",
                f"/admin/leadwizard/exports/{export_format}/?industry=handwerk",
            )
        path = download_info.value.path()
        if export_format == "csv":
            # The default dialect is "Excel (Deutsch)": semicolons.
            with open(path, encoding="utf-8-sig", newline="") as handle:
                table = list(csv.reader(handle, delimiter=";"))
        else:
            with open(path, "rb") as handle:
                sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
            table = [
                [("" if cell is None else str(cell)) for cell in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        header, body = table[0], table[1:]
        name_column = next(i for i, title in enumerate(header) if title.strip().lower() == "name")
        names = sorted(row[name_column] for row in body)
        assert names == ["Handwerk 0", "Handwerk 1", "Handwerk 2"], (export_format, header)


def test_editor_without_lead_permissions_sees_no_leads(demo, page, django_user_model):
    editor = make_user(django_user_model, "editor-emil", "Editors")
    LeadFactory(name="Geheime Person")
    log_in(page, demo.url, editor.username)
    expect(page.locator("#wagtail-sidebar")).to_contain_text("Seiten")
    expect(page.locator("#wagtail-sidebar")).not_to_contain_text("Leads")
    for url in (
        "/admin/leadwizard/leads/",
        "/admin/leadwizard/exports/csv/",
        "/admin/leadwizard/reports/funnel/",
    ):
        response = page.goto(demo.url + url)
        refused = response.status == 403 or page.url.rstrip("/").endswith("/admin")
        assert refused, f"{url} answered {response.status} at {page.url}"
        expect(page.locator("body")).not_to_contain_text("Geheime Person")
