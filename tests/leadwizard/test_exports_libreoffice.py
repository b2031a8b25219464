"""The exports opened by LibreOffice Calc: every cell as typed, nothing evaluated, umlauts right.

LibreOffice converts the files headless (``soffice --headless --convert-to xlsx``)
and openpyxl reads the cells back. Without filter options LibreOffice 7.4 reads a
CSV as Windows-1252 with commas and ignores the byte order mark (what the API
and ``--convert-to`` do; its import dialog offers UTF-8 and the separator): so
that import is checked for everything but the non-ASCII cells, and the import
with the dialect's separator and UTF-8 for every cell. Skipped where LibreOffice
is not installed (``make test`` installs it).

The CSV round trips carry the ``libreoffice_csv`` marker: Python's csv module writes
those files, not a library the compatibility matrix pins, so its corners
(noxfile.py) skip them; the XLSX round trip runs there too, as each corner's
openpyxl writes that file.
"""

import io
import shutil
import subprocess
import uuid

import openpyxl
import pytest

from leadwizard.exports import columns_for, iter_csv, lead_rows, write_xlsx
from leadwizard.exports.formulas import WORD_JOINER, neutralise
from leadwizard.models import Lead, LeadNote
from tests.factories import LeadFactory, QuestionnaireFactory

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
)
SEPARATORS = {"excel_de": ";", "rfc4180": ","}
# The word joiner's UTF-8 bytes as LibreOffice shows them when it reads Windows-1252.
WORD_JOINER_AS_1252 = WORD_JOINER.encode().decode("cp1252", errors="replace").replace("\ufffd", "\uf181")


@pytest.fixture
def odd_leads(db):
    questionnaire = QuestionnaireFactory()
    lead = LeadFactory(
        questionnaire=questionnaire,
        name="Jürgen Müller",
        company='Schäfer; Söhne, "Bau" GmbH',
        phone="0301234567",
        email="-2+3@example.org",
        message='=1+2\nZeile zwei; mit, Trennern und "Anführungszeichen"',
        utm_source="@SUM(A1)",
        utm_medium="+49 30 1234567",
        utm_campaign='=HYPERLINK("http://evil.example","Klick")',
        utm_term="+4930123",
        top_matches=[{"vendor": "Alpha CRM", "score": 87.5}],
        match_count=1,
    )
    LeadNote.objects.create(lead=lead, author_name="Anna", text="=zurückrufen; bald")
    LeadFactory(questionnaire=questionnaire, name="Erika Muster", phone="+49 30 1234567")
    return Lead.objects.all()


def convert(tmp_path, files, infilter=None):
    """The workbooks LibreOffice makes of ``files`` (name -> bytes), each as rows of cells."""
    profile = tmp_path / f"profile-{uuid.uuid4().hex}"  # parallel runs never share a profile
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += [
        "--convert-to",
        "xlsx",
        "--outdir",
        str(tmp_path / "out"),
        *(str(tmp_path / n) for n in files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    books = {}
    for name in files:
        book = openpyxl.load_workbook(tmp_path / "out" / (name.rsplit(".", 1)[0] + ".xlsx"))
        books[name] = [list(row) for row in book.active.iter_rows()]
    return books


def expected_rows(queryset, language):
    columns = columns_for(queryset, language)
    return [[header for _key, header in columns], *lead_rows(queryset, columns, language=language)]


def assert_cells_as_typed(rows, expected, ascii_only=False, csv=True):
    """Text as typed; in a CSV formula-like text keeps the visible apostrophe that makes it inert."""
    assert len(rows) == len(expected)
    for row, values in zip(rows, expected, strict=True):
        assert len(row) >= len(values)
        for cell, value in zip(row, values, strict=False):
            assert cell.data_type != "f", f"evaluated: {cell.value!r}"  # nothing is ever a formula
            if isinstance(value, str) and value:
                if ascii_only and not value.isascii():
                    continue
                # The word joiner that keeps number-like text text is invisible.
                shown = str(cell.value).removeprefix(WORD_JOINER_AS_1252 if ascii_only else WORD_JOINER)
                assert shown == (neutralise(value).removeprefix(WORD_JOINER) if csv else value)
                assert cell.data_type == "s"
            elif isinstance(value, int):
                assert cell.value == value


@pytest.mark.libreoffice_csv
@pytest.mark.parametrize("language", ["de", "en"])
def test_csv_in_both_dialects_opens_as_typed(odd_leads, tmp_path, language):
    expected = expected_rows(odd_leads, language)
    for dialect, separator in SEPARATORS.items():
        data = b"".join(iter_csv(odd_leads, dialect=dialect, language=language))
        # What the import dialog offers: the dialect's separator, '"', UTF-8 (76), from line 1.
        (rows,) = convert(tmp_path / dialect, {"leads.csv": data}, f"CSV:{ord(separator)},34,76,1").values()
        assert_cells_as_typed(rows, expected)
        assert "Jürgen Müller" in [cell.value for cell in rows[1]]


@pytest.mark.libreoffice_csv
def test_rfc4180_csv_with_libreoffice_defaults_keeps_text_and_evaluates_nothing(odd_leads, tmp_path):
    # No filter options: Windows-1252 and commas, the BOM ignored (LibreOffice 7.4), so
    # umlauts break whatever the file says; everything else must still be as typed.
    data = b"".join(iter_csv(odd_leads, dialect="rfc4180", language="en"))
    (rows,) = convert(tmp_path, {"leads.csv": data}).values()
    expected = expected_rows(odd_leads, "en")
    expected[0][0] = None  # the first header carries the BOM, read as "ï»¿"
    assert_cells_as_typed(rows, expected, ascii_only=True)
    phone = rows[1][expected[0].index("Phone")]
    assert (phone.value, phone.data_type) == (WORD_JOINER_AS_1252 + "0301234567", "s")  # not 301234567


def test_xlsx_opens_as_typed(odd_leads, tmp_path):
    output = io.BytesIO()
    write_xlsx(odd_leads, output, language="de")
    (rows,) = convert(tmp_path, {"leads.xlsx": output.getvalue()}).values()
    expected = expected_rows(odd_leads, "de")
    assert_cells_as_typed(rows, expected, csv=False)  # typed text cells: no apostrophe needed
