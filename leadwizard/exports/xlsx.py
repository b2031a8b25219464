"""Lead exports as XLSX workbooks written by openpyxl, and the layout that both XLSX writers give them.

``workbooks.write_xlsx`` picks the writer (``LEADWIZARD_EXPORT_XLSX_WRITER``):
``xlsx_streaming`` by default, a column at a time and several times faster, or
``write_openpyxl`` below, the reference that the streaming writer is compared
with cell by cell. The layout is the same.

The sheet opens ready to work with: a bold header row that stays in view
(frozen pane ``A2``), an autofilter over the data, and column widths that fit
the content. Write-only mode streams the rows to a temporary file, but it writes
the column widths before the first row; so the widths are estimated from the
header and the first ``SAMPLE_ROWS`` rows, which are read ahead and kept until
the header is out (a later, longer value is cut off visually, never lost). The
autofilter's range is only written after the rows, so it covers every row.
"""

from datetime import date, datetime
from itertools import chain, islice

from django.utils import translation
from django.utils.translation import gettext

from .columns import columns_for, is_text_column
from .formulas import TRIGGER_SET
from .reading import CHUNK_SIZE
from .rows import lead_rows

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Rows read ahead to estimate the column widths from.
SAMPLE_ROWS = 200
# Column widths in characters: narrow columns stay clickable, long messages do not push the rest away.
MIN_WIDTH = 8
MAX_WIDTH = 60
# Room for the autofilter's drop-down button next to a header, and a little air around values.
FILTER_BUTTON_WIDTH = 3
PADDING = 2
# Excel's number formats are stored in these (English) codes whatever the reader's Excel language;
# a German Excel shows the first as TT.MM.JJJJ hh:mm.
DATETIME_FORMATS = {"de": "DD.MM.YYYY HH:MM", "en": "YYYY-MM-DD HH:MM"}
DATE_FORMATS = {"de": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
# Date columns are at least this wide, or Excel shows ### instead of the date (16 characters plus air).
DATETIME_WIDTH = 18
DATE_WIDTH = 12
BOOLEAN_WIDTH = 7  # WAHR / FALSCH / TRUE / FALSE
# Bold header text is a little wider than the same text in the body.
BOLD_FACTOR = 1.1


def _base_language(language):
    return (language or translation.get_language() or "en").split("-")[0].lower()


def number_formats(language):
    """The (date and time, date) number formats for the export language: German or ISO-like."""
    base = _base_language(language)
    base = base if base in DATETIME_FORMATS else "en"
    return DATETIME_FORMATS[base], DATE_FORMATS[base]


def value_width(value):
    """How many characters ``value`` takes in its cell: the longest line of text, a date's formatted width."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return BOOLEAN_WIDTH
    if isinstance(value, datetime):
        return DATETIME_WIDTH
    if isinstance(value, date):
        return DATE_WIDTH
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    return len(str(value))


def column_widths(columns, sample):
    """Widths (in characters) for ``columns`` from their headers and the sample rows, within the limits.

    Date columns are never narrower than their formatted dates, so no cell shows ``###``.
    """
    widths = []
    for index, (_key, title) in enumerate(columns):
        header = int(len(str(title)) * BOLD_FACTOR + 0.999) + FILTER_BUTTON_WIDTH
        values = [row[index] for row in sample]
        longest = max((value_width(value) for value in values), default=0) + PADDING
        width = min(MAX_WIDTH, max(MIN_WIDTH, header, longest))
        if any(isinstance(value, datetime) for value in values):
            width = max(width, DATETIME_WIDTH)
        elif any(isinstance(value, date) for value in values):
            width = max(width, DATE_WIDTH)
        widths.append(width)
    return widths


def write_openpyxl(queryset, fileobj, columns=None, chunk_size=CHUNK_SIZE, progress=None, language=None):
    """Write the leads of ``queryset`` as an XLSX workbook to ``fileobj`` (a binary file), with openpyxl.

    Uses openpyxl's write-only mode: rows go straight to a temporary file, so memory
    stays low. Dates are real date cells in the site's time zone, without it (Excel
    knows no time zones), with a date number format of the export ``language``
    (German: ``DD.MM.YYYY HH:MM``); numbers are number cells, booleans boolean
    cells; every text is a typed text cell (``t="s"``), so phone numbers and
    postcodes keep their leading zeros and a text starting with "=" is never a
    formula; phone numbers, postcodes and formula-like text also get the text
    number format ("@").
    Characters that XLSX cannot hold (control characters) are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if columns is None:
        columns = columns_for(queryset, language=language)
    datetime_format, date_only_format = number_formats(language)
    workbook = Workbook(write_only=True)
    with translation.override(language or translation.get_language()):
        title = gettext("Leads")
    sheet = workbook.create_sheet(title=title)

    rows = lead_rows(queryset, columns, chunk_size=chunk_size, progress=progress, language=language)
    sample = list(islice(rows, SAMPLE_ROWS))

    # Layout first: write-only mode writes widths and panes before the first row.
    sheet.freeze_panes = "A2"
    for number, width in enumerate(column_widths(columns, sample), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width

    bold = Font(bold=True)
    header = []
    for _key, heading in columns:
        cell = WriteOnlyCell(sheet, value=None)
        cell._value = ILLEGAL_CHARACTERS_RE.sub("", str(heading))  # a header is text, whatever it starts with
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    text_columns = [is_text_column(key) for key, _title in columns]
    illegal = ILLEGAL_CHARACTERS_RE.search
    strip_illegal = ILLEGAL_CHARACTERS_RE.sub

    def text_cell(value):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value = value  # set directly: the setter would read "=..." as a formula
        cell.data_type = "s"
        cell.number_format = "@"  # and Excel keeps it text when someone edits the cell
        return cell

    def date_cell(value, number_format):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell

    written = 0
    for row in chain(sample, rows):
        cells = []
        append = cells.append
        for is_text, value in zip(text_columns, row, strict=True):
            if value is None:
                append(None)
                continue
            if isinstance(value, str):
                if illegal(value):
                    value = strip_illegal("", value)
                value = value[:32767]
                if is_text or value[:1] in TRIGGER_SET or value in ERROR_CODES:
                    append(text_cell(value))
                else:
                    append(value)  # openpyxl types any other str as a text cell
            elif is_text:
                append(text_cell(str(value)))
            elif isinstance(value, datetime):
                append(date_cell(value.replace(tzinfo=None), datetime_format))
            elif isinstance(value, date):
                append(date_cell(value, date_only_format))
            else:
                append(value)
        sheet.append(cells)
        written += 1
    if columns:
        # Written after the rows (in the sheet's tail), so the range is exact.
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written + 1}"
    workbook.save(fileobj)
