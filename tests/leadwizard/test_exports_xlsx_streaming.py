"""The streaming XLSX writer against openpyxl's, cell by cell, and the ways to choose between them.

``write_openpyxl`` is the reference: on odd data (the CSV's odd leads, plus what
only a workbook cares about) both files are read back with openpyxl and every
cell's value, type, number format and font is compared, as are the widths, the
frozen header and the autofilter. That LibreOffice opens the streaming file is
``test_exports_libreoffice``'s business (``write_xlsx`` writes it by default).
Runs on SQLite and PostgreSQL; the PostgreSQL parallel chunk reading is checked here too.
"""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.xml import LXML as OPENPYXL_WRITES_WITH_LXML

from leadwizard.checks import export_settings
from leadwizard.exports import columns_for, iter_csv, reading, write_xlsx
from leadwizard.exports.rows import RowPlan
from leadwizard.exports.xlsx import write_openpyxl
from leadwizard.exports.xlsx_streaming import XlsxCells, write_streaming
from leadwizard.models import Lead, LeadNote
from tests.factories import LeadFactory, QuestionnaireFactory
from tests.leadwizard.test_exports_postgres import line_by_line, odd_leads  # noqa: F401 - the shared odd data

UTC = datetime.UTC


@pytest.fixture
def workbook_oddities(odd_leads):  # noqa: F811 - the fixture imported above
    """Besides the CSV's odd leads, what only a workbook cares about."""
    questionnaire = QuestionnaireFactory()
    LeadFactory(
        questionnaire=questionnaire,
        name="  spaces around  ",
        company="Markup <b>&amp;</b> & > <",
        message="Zeile\r\nzwei\rdrei\x0bmit\x01Steuerzeichen " + "x" * 40000,
        email="#N/A",
        utm_source="#DIV/0!",
        utm_medium="",
        phone="",
        answers={"postcode": "01067", "employees": 1 / 3, "users": 10**20, "german_hq": True, "uses": []},
        answer_labels=[],
        created_at=datetime.datetime(2024, 3, 31, 1, 59, 59, 790980, tzinfo=UTC),  # trailing zero left out
    )
    LeadFactory(
        questionnaire=questionnaire,
        answers={"postcode": 1067, "employees": 1e-7, "users": -0.5},
        answer_labels=[],
        created_at=datetime.datetime(1900, 1, 15, 12, 0, tzinfo=UTC),  # before Excel's 29 February 1900
    )
    return Lead.objects.all()


def read_back(write, queryset, columns, **options):
    buffer = io.BytesIO()
    write(queryset, buffer, columns, **options)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = [
        [(cell.value, cell.data_type, cell.number_format, bool(cell.font.b)) for cell in row]
        for row in sheet.iter_rows()
    ]
    layout = (
        sheet.title,
        sheet.freeze_panes,
        sheet.auto_filter.ref,
        {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()},
    )
    return cells, layout, buffer.getvalue()


def comparable(cells):
    """``cells`` as the reference writer can keep them.

    Without lxml (the plugin does not require it) openpyxl writes a carriage
    return unescaped, and reading the XML back turns "\\r\\n" and a lone "\\r" into
    "\\n"; with lxml it writes ``&#13;`` and keeps it, as our writer always does.
    """
    if OPENPYXL_WRITES_WITH_LXML:
        return cells
    return [
        [
            (value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value, *rest)
            for value, *rest in row
        ]
        for row in cells
    ]


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
@pytest.mark.parametrize("language", ["de", "en"])
def test_streaming_workbook_is_the_openpyxl_workbook_cell_by_cell(workbook_oddities, chunk_size, language):
    columns = columns_for(workbook_oddities, language)
    expected, expected_layout, _data = read_back(
        write_openpyxl, workbook_oddities, columns, chunk_size=chunk_size, language=language
    )
    cells, layout, data = read_back(
        write_streaming, workbook_oddities, columns, chunk_size=chunk_size, language=language
    )
    assert len(cells) == workbook_oddities.count() + 1
    # A reader's line breaks stay as typed, carriage returns included.
    assert any("\r\n" in value for row in cells for value, *_rest in row if isinstance(value, str))
    for number, (row, expected_row) in enumerate(zip(comparable(cells), comparable(expected), strict=True)):
        assert row == expected_row, f"row {number + 1}"
    assert layout == expected_layout
    # Text that starts like a formula is text, and the sheet holds no formula at all.
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert '=HYPERLINK("http://evil.example","Klick")' in {value for row in cells for value, *_rest in row}


def test_streaming_workbook_of_nothing_has_the_header_only(db):
    columns = columns_for(Lead.objects.all())
    cells, layout, _data = read_back(write_streaming, Lead.objects.all(), columns)
    expected, expected_layout, _data = read_back(write_openpyxl, Lead.objects.all(), columns)
    assert cells == expected and len(cells) == 1
    assert layout == expected_layout


def test_setting_and_command_choose_the_writer(workbook_oddities, settings, tmp_path, django_user_model):  # noqa: ARG001
    columns = columns_for(Lead.objects.all())

    def writer_of(**options):
        buffer = io.BytesIO()
        write_xlsx(Lead.objects.all(), buffer, columns, **options)
        names = zipfile.ZipFile(buffer).namelist()
        return (
            "openpyxl" if "docProps/app.xml" in names else "streaming"
        )  # openpyxl writes document properties

    assert writer_of() == "streaming"
    settings.LEADWIZARD_EXPORT_XLSX_WRITER = "openpyxl"
    assert writer_of() == "openpyxl"
    assert writer_of(writer="streaming") == "streaming"
    assert export_settings() == []

    settings.LEADWIZARD_EXPORT_XLSX_WRITER = "rust"
    assert [message.id for message in export_settings()] == ["leadwizard.E003"]
    with pytest.raises(ValueError, match="Unknown XLSX writer"):
        writer_of()

    settings.LEADWIZARD_EXPORT_XLSX_WRITER = "streaming"
    user = django_user_model.objects.create_superuser("chef", "chef@example.com", "pw")
    for writer in ("openpyxl", "streaming"):
        output = tmp_path / f"{writer}.xlsx"
        call_command(
            "export_leads", "--format=xlsx", f"--output={output}", f"--user={user.username}",
            f"--xlsx-writer={writer}", "--no-progress", stdout=io.StringIO(),
        )  # fmt: skip
        names = zipfile.ZipFile(output).namelist()
        assert ("docProps/app.xml" in names) == (writer == "openpyxl")


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel chunk reading")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_chunks_read_in_parallel_are_those_of_one_connection(monkeypatch, settings):
    """Outside a transaction, chunks are read by connections of their own, two at once: the same rows."""
    # Every lead written by the export (test_exports_prepared reads copied fields in parallel).
    settings.LEADWIZARD_EXPORT_PREPARED_ROWS = False
    questionnaire = QuestionnaireFactory()
    for number in range(11):
        LeadFactory(
            questionnaire=questionnaire, top_matches=[{"vendor": f"V{number}", "score": number + 0.5}]
        )
    LeadFactory(questionnaire=questionnaire, status=Lead.Status.WON)
    queryset = Lead.objects.exclude(status=Lead.Status.WON)  # a filter: chunks end where its leads do
    columns = columns_for(queryset)
    calls = []
    parallel = reading.iter_chunks_in_parallel
    monkeypatch.setattr(
        reading, "iter_chunks_in_parallel", lambda *a, **k: calls.append(a) or parallel(*a, **k)
    )
    expected = line_by_line(queryset, columns)
    for chunk_size in (1, 4, 11, 12, 100):
        assert b"".join(iter_csv(queryset, columns, chunk_size=chunk_size)) == expected
    assert len(calls) == 5
    cells, _layout, _data = read_back(write_streaming, queryset, columns, chunk_size=4)
    reference, _layout, _data = read_back(write_openpyxl, queryset, columns, chunk_size=4)
    assert cells == reference and len(cells) == 12
    # A download broken off closes the readers' connections.
    chunks = iter_csv(queryset, columns, chunk_size=2)
    next(chunks), next(chunks)
    chunks.close()
    assert Lead.objects.count() == 12


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_chunk_ends_and_notes_are_read_beside_the_caller(django_user_model):
    """Outside a transaction the caller's thread only formats: chunk ends and each chunk's notes are read
    by threads with connections of their own, and the notes are those the caller would have read."""
    questionnaire = QuestionnaireFactory()
    author = django_user_model.objects.create_user("beraterin", password="x")  # noqa: S106
    leads = [LeadFactory(questionnaire=questionnaire) for _number in range(9)]
    for number, lead in enumerate(leads):
        for count in range(number % 3):
            LeadNote.objects.create(lead=lead, text=f"Notiz {count} = 1+1", author=author if count else None)
    LeadNote.objects.create(lead=leads[4], text="von Hand", author_name="Frau Özdemir")
    queryset = Lead.objects.all()
    columns = columns_for(queryset)
    expected = line_by_line(queryset, columns)
    with CaptureQueriesContext(connection) as queries:
        exported = b"".join(iter_csv(queryset, columns, chunk_size=2))
    assert exported == expected
    assert "Frau Özdemir: von Hand" in exported.decode() and "beraterin: Notiz 1" in exported.decode()
    caller_sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "leadwizard_leadnote" not in caller_sql  # no chunk's notes asked by the caller
    assert "OFFSET" not in caller_sql  # nor where a chunk ends
    cells, _layout, _data = read_back(write_streaming, queryset, columns, chunk_size=2)
    reference, _layout, _data = read_back(write_openpyxl, queryset, columns, chunk_size=2)
    assert cells == reference and len(cells) == 10


@postgresql_only
def test_postgresql_writes_the_cells_of_text_and_number_columns(workbook_oddities):
    """The runs of text and whole-number columns come as finished cells from the database (the workbook
    test above checks they are the reference's); the rest is formatted here."""
    columns = columns_for(workbook_oddities)
    plan = RowPlan(workbook_oddities, columns, csv=True, fast=True, cells=XlsxCells)
    kinds = [kind for kind, _where, _extra in plan.csv_columns]
    assert "value" not in kinds and kinds.count("csv") >= 2
    assert "&amp;" in str(plan.queryset.query)  # the markup is escaped in SQL
    cells, _layout, _data = read_back(write_streaming, workbook_oddities, columns)
    headers = [value for value, *_rest in cells[0]]
    company = headers.index("Firma") if "Firma" in headers else headers.index("Company")
    assert "Markup <b>&amp;</b> & > <" in {row[company][0] for row in cells[1:]}
