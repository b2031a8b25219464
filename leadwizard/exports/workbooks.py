"""Which writer makes an XLSX export: ``write_xlsx`` asks ``LEADWIZARD_EXPORT_XLSX_WRITER``.

"streaming" (``xlsx_streaming.write_streaming``, the default) makes the sheet's
XML a column at a time; "openpyxl" (``xlsx.write_openpyxl``) is the slower
reference it is compared with cell by cell, kept to fall back on.
"""

from .reading import CHUNK_SIZE
from .xlsx import CONTENT_TYPE, write_openpyxl
from .xlsx_streaming import write_streaming

WRITERS = {"streaming": write_streaming, "openpyxl": write_openpyxl}

__all__ = ["CONTENT_TYPE", "WRITERS", "write_xlsx"]


def write_xlsx(
    queryset, fileobj, columns=None, chunk_size=CHUNK_SIZE, progress=None, language=None, writer=None
):
    """Write the leads of ``queryset`` as an XLSX workbook to ``fileobj`` (a binary file).

    ``writer``: a key of ``WRITERS``; by default ``LEADWIZARD_EXPORT_XLSX_WRITER``.
    Both write the same cells and layout: dates as date cells in the site's time
    zone with the export ``language``'s date format, numbers and yes/no typed,
    every text a text cell (never a formula), a frozen bold header, an autofilter
    and column widths from the first rows (see ``xlsx.write_openpyxl``).
    """
    from ..conf import app_settings

    name = writer or app_settings.EXPORT_XLSX_WRITER
    try:
        write = WRITERS[name]
    except KeyError:
        raise ValueError(f"Unknown XLSX writer {name!r}; one of {', '.join(WRITERS)}") from None
    write(queryset, fileobj, columns, chunk_size=chunk_size, progress=progress, language=language)
