"""Lead exports as XLSX workbooks, written by openpyxl in write-only mode."""

from datetime import datetime

from django.utils.translation import gettext

from .columns import columns_for, is_text_column
from .formulas import TRIGGER_SET
from .reading import CHUNK_SIZE
from .rows import lead_rows

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(queryset, fileobj, columns=None, chunk_size=CHUNK_SIZE, progress=None):
    """Write the leads of ``queryset`` as an XLSX workbook to ``fileobj`` (a binary file).

    Uses openpyxl's write-only mode: rows go straight to a temporary file, so memory
    stays low. Dates are real date cells in the site's time zone, without it (Excel
    knows no time zones); booleans are boolean cells;
    phone numbers, postcodes and formula-like text are text cells with the text
    number format ("@"). Characters that XLSX cannot hold (control characters) are
    dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    if columns is None:
        columns = columns_for(queryset)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=gettext("Leads"))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for _key, title in columns:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", title))
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
        cell.number_format = "@"
        return cell

    for row in lead_rows(queryset, columns, chunk_size=chunk_size, progress=progress):
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
                    append(value)
            elif is_text:
                append(text_cell(str(value)))
            elif isinstance(value, datetime):
                append(value.replace(tzinfo=None))
            else:
                append(value)
        sheet.append(cells)
    workbook.save(fileobj)
