"""The export menu and presets: columns in a chosen order, dialect, language, filters kept, permissions."""

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from wagtail.models import ModelLogEntry

from leadwizard.admin.exports import column_order, move_column
from leadwizard.audit import LOG_EXPORT
from leadwizard.exports import BOM, CSV_DIALECTS, columns_for, select_columns
from leadwizard.exports.presets import apply_preset, delete_preset, save_preset
from leadwizard.models import ExportJob, ExportPreset, Lead
from tests.factories import LeadFactory, QuestionnaireFactory, staff_user

MENU = reverse("leadwizard_admin:export_menu")
CHOSEN = ["email", "answers.industry", "name"]  # not the default order: e-mail first, name last


@pytest.fixture(autouse=True)
def own_export_folder(settings, tmp_path):
    settings.LEADWIZARD_EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def questionnaire(db):
    return QuestionnaireFactory()


@pytest.fixture
def leads(questionnaire):
    """Two won leads and one new one: the filter ``status=won`` keeps exactly the first two."""
    return [
        LeadFactory(
            questionnaire=questionnaire, name="Gewonnen Eins", email="eins@won.example", status="won"
        ),
        LeadFactory(
            questionnaire=questionnaire, name="Gewonnen Zwei", email="zwei@won.example", status="won"
        ),
        LeadFactory(questionnaire=questionnaire, name="Neu Drei", email="drei@new.example", status="new"),
    ]


@pytest.fixture
def marketer(db):
    return staff_user("marketing", "leadwizard.view_lead", "leadwizard.export_lead")


@pytest.fixture
def colleague(db):
    return staff_user("kollegin", "leadwizard.view_lead", "leadwizard.export_lead")


def header_of(key, language):
    with translation.override(language):
        return dict(columns_for(Lead.objects.all(), language=language))[key]


def german(key):
    with translation.override("de"):
        return capfirst(str(Lead._meta.get_field(key).verbose_name))


def english(key):
    with translation.override("en"):
        return capfirst(str(Lead._meta.get_field(key).verbose_name))


def menu_post(keys, format="csv", dialect="excel_de", language="de", action="export", **extra):
    """The menu's form data: ``keys`` ticked, and positions that put them first, in that order."""
    all_keys = [key for key, _header in columns_for(Lead.objects.all())]
    data = {"format": format, "dialect": dialect, "language": language, "columns": keys, "action": action}
    rest = [key for key in all_keys if key not in keys]
    for position, key in enumerate([*keys, *rest], start=1):
        data[f"position_{key}"] = str(position)
    data.update(extra)
    return data


def read_csv(response, delimiter):
    data = b"".join(response.streaming_content).decode("utf-8")
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :], newline=""), delimiter=delimiter))


# select_columns and presets ----------------------------------------------------------------


def test_select_columns_keeps_the_given_order_and_drops_unknown_keys():
    columns = [("a", "A"), ("b", "B"), ("c", "C")]
    assert select_columns(columns, ["c", "gone", "a", "c"]) == [("c", "C"), ("a", "A")]
    assert select_columns(columns, []) == []


def test_preset_skips_a_vanished_column_and_adds_no_new_one(marketer):
    preset = save_preset(marketer, "Newsletter", ["answers.removed_question", "email", "name"])
    # Since the preset was saved, a question was removed and a column "answers.new_question" appeared.
    now = [("name", "Name"), ("answers.new_question", "Neu"), ("email", "E-Mail")]
    assert apply_preset(preset, now) == [("email", "E-Mail"), ("name", "Name")]


def test_saving_under_an_existing_name_overwrites_only_ones_own_preset(marketer, colleague):
    preset = save_preset(marketer, "Newsletter", ["email"], format="xlsx", dialect="rfc4180", language="en")
    assert (preset.owner, preset.columns, preset.format, preset.dialect, preset.language) == (
        marketer,
        ["email"],
        "xlsx",
        "rfc4180",
        "en",
    )
    # The owner replaces it (names are matched without regard to case) ...
    again = save_preset(marketer, "newsletter", ["name", "email"])
    assert again.pk == preset.pk and again.columns == ["name", "email"]
    # ... a colleague sees and uses it, but may neither overwrite nor delete it.
    with pytest.raises(PermissionDenied):
        save_preset(colleague, "Newsletter", ["phone"])
    with pytest.raises(PermissionDenied):
        delete_preset(colleague, preset)
    preset.refresh_from_db()
    assert preset.columns == ["name", "email"]
    # A team lead with the model's change/delete permissions may.
    for codename in ("change_exportpreset", "delete_exportpreset"):
        colleague.user_permissions.add(Permission.objects.get(codename=codename))
    colleague = type(colleague).objects.get(pk=colleague.pk)  # drop the cached permissions
    assert save_preset(colleague, "Newsletter", ["phone"]).columns == ["phone"]
    delete_preset(colleague, preset)
    assert not ExportPreset.objects.exists()


# The menu: permissions and filters ---------------------------------------------------------


def test_menu_needs_the_export_permission(client, leads):
    client.force_login(staff_user("redaktion", "leadwizard.view_lead"))
    assert client.get(MENU).status_code == 403
    response = client.post(MENU, menu_post(CHOSEN, action="save", preset_name="Heimlich"))
    assert response.status_code == 403
    assert b"Gewonnen" not in response.content
    assert not ExportPreset.objects.exists()
    assert not ExportJob.objects.exists()


def test_anonymous_menu_goes_to_the_login(client, leads):
    response = client.get(MENU)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_menu_posts_need_the_csrf_token(marketer, leads):
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(MENU, menu_post(CHOSEN)).status_code == 403
    assert not ExportJob.objects.exists()


def test_listing_export_button_opens_the_menu_with_the_filters(client, marketer, leads):
    client.force_login(marketer)
    html = client.get(reverse("leadwizard_leads:index") + "?status=won&p=1").content.decode()
    assert f'href="{MENU}?status=won"' in html


def test_menu_keeps_the_listings_filters_and_search(client, marketer, leads):
    save_preset(marketer, "Newsletter", ["email"])
    client.force_login(marketer)
    response = client.get(MENU + "?status=won&q=Gewonnen&p=2&ordering=name")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    # The form posts back with the filters (paging and ordering dropped), the preset form carries them.
    assert f'action="{MENU}?status=won&amp;q=Gewonnen"' in html
    assert '<input type="hidden" name="status" value="won">' in html
    assert '<input type="hidden" name="q" value="Gewonnen">' in html
    assert "2 leads match" in html
    # Every column offered, all ticked by default, German and the Excel dialect preselected.
    for key, _header in columns_for(Lead.objects.all()):
        assert f'name="columns" value="{key}"' in html
    assert re.search(r'value="excel_de"[^>]*checked', html)
    assert re.search(r'name="language" value="de"[^>]*checked', html)


def test_invalid_filters_export_nothing(client, marketer, leads):
    client.force_login(marketer)
    response = client.post(MENU + "?created_at_from=gestern", menu_post(CHOSEN))
    assert response.status_code == 302 and response["Location"].startswith(reverse("leadwizard_leads:index"))
    assert not ExportJob.objects.exists()


# The menu: what reaches the file ------------------------------------------------------------


def test_german_excel_csv_holds_the_filtered_leads_in_the_chosen_columns(client, marketer, leads):
    client.force_login(marketer)
    response = client.post(MENU + "?status=won", menu_post(CHOSEN, dialect="excel_de", language="de"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    rows = read_csv(response, delimiter=";")
    assert rows[0] == [german("email"), header_of("answers.industry", "de"), german("name")]
    assert rows[1:] == [
        ["eins@won.example", rows[1][1], "Gewonnen Eins"],
        ["zwei@won.example", rows[2][1], "Gewonnen Zwei"],
    ]
    assert all(row[1] for row in rows[1:])  # the answer is there
    # The audit log records the choice (column keys, dialect, language), not the data.
    entry = ModelLogEntry.objects.get(action=LOG_EXPORT)
    assert entry.data["columns"] == CHOSEN
    assert (entry.data["dialect"], entry.data["language"], entry.data["rows"]) == ("excel_de", "de", 2)


def test_rfc4180_csv_in_english(client, marketer, leads):
    client.force_login(marketer)
    response = client.post(
        MENU + "?status=won", menu_post(["name", "email"], dialect="rfc4180", language="en")
    )
    rows = read_csv(response, delimiter=",")
    assert rows[0] == [english("name"), english("email")]
    assert english("email") != german("email")  # else the language would not be tested
    assert [row[0] for row in rows[1:]] == ["Gewonnen Eins", "Gewonnen Zwei"]


def test_xlsx_from_the_menu_has_the_chosen_columns_in_the_chosen_language(client, marketer, leads):
    client.force_login(marketer)
    response = client.post(MENU + "?status=won", menu_post(CHOSEN, format="xlsx", language="de"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [german("email"), header_of("answers.industry", "de"), german("name")]
    assert [row[2] for row in rows[1:]] == ["Gewonnen Eins", "Gewonnen Zwei"]


def test_position_numbers_set_the_order_and_unticked_columns_stay_out(client, marketer, leads):
    client.force_login(marketer)
    data = menu_post(["name", "email", "phone"], dialect="rfc4180", language="en")
    data["columns"] = ["name", "email"]  # phone unticked
    data["position_name"], data["position_email"] = "9", "1"
    response = client.post(MENU + "?status=won", data)
    assert read_csv(response, delimiter=",")[0] == [english("email"), english("name")]


def test_column_order_reads_positions_and_keeps_ties_and_garbage_in_place():
    columns = [("a", "A"), ("b", "B"), ("c", "C")]
    assert column_order({"position_a": "3", "position_b": "1", "position_c": "2"}, columns) == ["b", "c", "a"]
    assert column_order({"position_a": "x", "position_c": "1"}, columns) == ["a", "c", "b"]
    assert move_column(["a", "b", "c"], "c", "up") == ["a", "c", "b"]
    assert move_column(["a", "b", "c"], "a", "up") == ["a", "b", "c"]


def test_move_buttons_post_back_the_new_order_without_exporting(client, marketer, leads):
    """Without JavaScript the up/down buttons post the form; the page comes back with the column moved."""
    client.force_login(marketer)
    response = client.post(MENU + "?status=won", menu_post(CHOSEN, action="up:name"))
    html = response.content.decode()
    assert response.status_code == 200 and "text/html" in response["Content-Type"]
    order = re.findall(r'name="position_([^"]+)" value="(\d+)"', html)
    assert order[:3] == [("email", "1"), ("name", "2"), ("answers.industry", "3")]
    ticked = re.findall(r'name="columns" value="([^"]+)"[^>]*checked', html.replace("\n", " "))
    assert ticked == ["email", "name", "answers.industry"]
    assert not ExportJob.objects.exists()


def test_exporting_without_a_column_is_refused(client, marketer, leads):
    client.force_login(marketer)
    data = menu_post([])
    response = client.post(MENU, data)
    assert response.status_code == 400
    assert "Choose at least one column." in response.content.decode()
    assert not ExportJob.objects.exists()


# Presets in the menu -------------------------------------------------------------------------


def test_preset_saved_in_the_menu_loads_again_with_the_filters(client, marketer, colleague, leads):
    client.force_login(marketer)
    data = menu_post(CHOSEN, format="csv", dialect="rfc4180", language="en", action="save")
    response = client.post(MENU + "?status=won", {**data, "preset_name": "CRM-Import"})
    preset = ExportPreset.objects.get()
    assert (preset.name, preset.columns, preset.dialect, preset.language, preset.owner) == (
        "CRM-Import",
        CHOSEN,
        "rfc4180",
        "en",
        marketer,
    )
    assert response.status_code == 302
    assert response["Location"] == f"{MENU}?status=won&preset={preset.pk}"

    # Shared: a colleague loads it; its columns come first, ticked, in its order, the rest unticked.
    client.force_login(colleague)
    html = client.get(response["Location"]).content.decode().replace("\n", " ")
    positions = re.findall(r'name="position_([^"]+)" value="(\d+)"', html)
    assert [key for key, _number in positions[:3]] == CHOSEN
    assert re.findall(r'name="columns" value="([^"]+)"[^>]*checked', html) == CHOSEN
    assert re.search(r'name="dialect" value="rfc4180"[^>]*checked', html)
    assert re.search(r'name="language" value="en"[^>]*checked', html)
    assert f'<option value="{preset.pk}" selected>CRM-Import</option>' in html
    assert 'value="delete_preset"' not in html  # not hers to delete

    # She may not delete it by posting either.
    response = client.post(MENU + "?status=won", {"action": "delete_preset", "preset": preset.pk})
    assert response.status_code == 403
    assert ExportPreset.objects.filter(pk=preset.pk).exists()

    # Nor overwrite it under the same name.
    response = client.post(MENU, {**menu_post(["phone"], action="save"), "preset_name": "CRM-Import"})
    assert response.status_code == 403
    assert ExportPreset.objects.get().columns == CHOSEN

    # Its owner may delete it.
    client.force_login(marketer)
    response = client.post(MENU + "?status=won", {"action": "delete_preset", "preset": preset.pk})
    assert response.status_code == 302 and response["Location"] == f"{MENU}?status=won"
    assert not ExportPreset.objects.exists()


def test_saving_a_preset_needs_a_name(client, marketer, leads):
    client.force_login(marketer)
    response = client.post(MENU, {**menu_post(CHOSEN, action="save"), "preset_name": "  "})
    assert response.status_code == 400
    assert "Please give the preset a name." in response.content.decode()
    assert not ExportPreset.objects.exists()


def test_unknown_preset_shows_the_default_choice(client, marketer, leads):
    client.force_login(marketer)
    response = client.get(MENU + "?preset=999")
    assert response.status_code == 200
    assert "This preset does not exist" in response.content.decode()


# Background jobs ------------------------------------------------------------------------------


def test_background_export_carries_columns_dialect_and_language(client, marketer, leads, settings):
    settings.LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD = 1
    client.force_login(marketer)
    response = client.post(MENU + "?status=won", menu_post(CHOSEN, dialect="excel_de", language="de"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("leadwizard_admin:export_progress", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.filters) == ("done", 2, {"status": ["won"]})
    # The job ran later, in the user's admin language (English): the file is German all the same.
    download = client.get(reverse("leadwizard_admin:export_download", args=[job.pk]))
    rows = read_csv(download, delimiter=";")
    assert rows[0] == [german("email"), header_of("answers.industry", "de"), german("name")]
    assert [row[2] for row in rows[1:]] == ["Gewonnen Eins", "Gewonnen Zwei"]
    entry = ModelLogEntry.objects.get(action=LOG_EXPORT, object_id=str(job.pk))
    assert (entry.data["columns"], entry.data["dialect"], entry.data["language"]) == (
        CHOSEN,
        "excel_de",
        "de",
    )


def test_dialects_offered_are_those_of_the_csv_writer():
    assert set(CSV_DIALECTS) == {"excel_de", "rfc4180"}
