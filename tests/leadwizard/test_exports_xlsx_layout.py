"""The XLSX export's layout, read back with openpyxl: widths, frozen header, autofilter, typed cells.

What the values are (labels, yes/no words) is the rows' business; here only how they are laid out and typed.
"""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.utils import translation
from openpyxl.utils import get_column_letter

from leadwizard.exports import columns_for, select_columns, write_xlsx
from leadwizard.exports import xlsx as xlsx_export
from leadwizard.models import Lead
from tests.factories import LeadFactory, QuestionnaireFactory

LONG_MESSAGE = "Bitte rufen Sie mich an. " * 20  # 500 characters


@pytest.fixture
def leads(db):
    questionnaire = QuestionnaireFactory()
    return [
        LeadFactory(
            questionnaire=questionnaire,
            name="=1+1",
            phone="0301234567",
            message=LONG_MESSAGE,
            match_count=3,
            marketing_consent=True,
            created_at=datetime.datetime(2024, 12, 31, 23, 45, tzinfo=datetime.UTC),
        ),
        LeadFactory(
            questionnaire=questionnaire, name="Erika Muster", phone="", message="kurz", match_count=0
        ),
    ]


def workbook(columns=None, language="de", **kwargs):
    """The export written and read back: (worksheet, raw sheet XML, {key: column letter})."""
    queryset = Lead.objects.order_by("pk")
    with translation.override(language):
        columns = columns_for(queryset, language=language) if columns is None else columns
        buffer = io.BytesIO()
        write_xlsx(queryset, buffer, columns, language=language, **kwargs)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    letters = {key: get_column_letter(number) for number, (key, _header) in enumerate(columns, start=1)}
    return sheet, xml, letters


def width(sheet, letter):
    return sheet.column_dimensions[letter].width


def test_header_is_frozen_bold_and_filtered_over_every_row(leads):
    sheet, _xml, letters = workbook()
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(letters))
    assert sheet.auto_filter.ref == f"A1:{last}3"  # header and both leads
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.max_row == 3


def test_autofilter_covers_rows_beyond_the_width_sample(leads, monkeypatch):
    """Widths come from the first rows only; the filter range is written after the rows, so it is exact."""
    monkeypatch.setattr(xlsx_export, "SAMPLE_ROWS", 1)
    columns = select_columns(columns_for(Lead.objects.all()), ["name", "message"])
    sheet, _xml, letters = workbook(columns, chunk_size=1)
    assert sheet.auto_filter.ref == "A1:B3"
    # The second lead's short message was not sampled, but it is written.
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [LONG_MESSAGE, "kurz"]


def test_widths_follow_the_content_within_limits(leads):
    sheet, _xml, letters = workbook()
    # A long message is capped, so the other columns stay in view.
    assert width(sheet, letters["message"]) == xlsx_export.MAX_WIDTH
    # A column of short values is as wide as its header (and the filter button) needs, at least the minimum.
    locale_header = sheet[f"{letters['locale']}1"].value
    assert width(sheet, letters["locale"]) >= max(xlsx_export.MIN_WIDTH, len(locale_header))
    # The e-mail column fits the longest address of the sample.
    longest = max(len(lead.email) for lead in leads)
    assert longest < width(sheet, letters["email"]) <= xlsx_export.MAX_WIDTH
    # Every column at least the minimum.
    assert all(width(sheet, letter) >= xlsx_export.MIN_WIDTH for letter in letters.values())


def test_date_columns_are_wide_enough_never_to_show_hashes(leads):
    sheet, _xml, letters = workbook()
    # "31.12.2024 23:45" has 16 characters; Excel shows ### in a narrower column.
    for key in ("created_at", "consent_given_at"):
        assert width(sheet, letters[key]) >= len("31.12.2024 23:45") + 2


def test_cells_are_typed_dates_numbers_and_text(leads):
    sheet, xml, letters = workbook(language="de")
    first = {key: sheet[f"{letter}2"] for key, letter in letters.items()}
    created = first["created_at"]
    assert isinstance(created.value, datetime.datetime) and created.is_date
    assert created.number_format == "DD.MM.YYYY HH:MM"  # TT.MM.JJJJ hh:mm in a German Excel
    assert (first["match_count"].value, first["match_count"].data_type) == (3, "n")
    # A phone number stays text with its leading zero, and is marked as text for editing.
    assert (first["phone"].value, first["phone"].data_type, first["phone"].number_format) == (
        "0301234567",
        "s",
        "@",
    )
    # Text that starts with "=" is a text cell, with no "'" in front, and the sheet holds no formula at all.
    assert (first["name"].value, first["name"].data_type) == ("=1+1", "s")
    assert "<f>" not in xml and "<f " not in xml


def test_english_exports_use_iso_like_dates(leads):
    sheet, _xml, letters = workbook(language="en")
    assert sheet[f"{letters['created_at']}2"].number_format == "YYYY-MM-DD HH:MM"


def test_column_width_estimate():
    columns = [("a", "Kurz"), ("b", "Eine ziemlich lange Überschrift"), ("c", "Datum")]
    sample = [["x", None, datetime.datetime(2024, 1, 1, 12, 0)], ["y" * 200, None, None]]
    widths = xlsx_export.column_widths(columns, sample)
    assert widths[0] == xlsx_export.MAX_WIDTH  # capped
    assert widths[1] >= len(columns[1][1])  # the header fits, next to its filter button
    assert widths[2] >= xlsx_export.DATETIME_WIDTH
    assert xlsx_export.column_widths([("a", "A")], []) == [xlsx_export.MIN_WIDTH]
