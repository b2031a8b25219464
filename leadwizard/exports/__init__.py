"""Lead exports: the same columns and rows for the admin download, background jobs and ``export_leads``.

``columns`` decides the columns, ``rows`` reads the leads (``reading`` in chunks,
on PostgreSQL several at once; ``database`` with the values the database can
prepare), ``csv`` and ``workbooks`` write the files (``xlsx_streaming`` or
openpyxl in ``xlsx``), ``formulas`` keeps spreadsheets from evaluating anything,
``filters`` is the listing's filters and search, and ``jobs`` runs large exports
in the background. Everything a caller needs is importable from here.
"""

from .columns import columns_for, export_columns
from .csv import BOM, CSV_DIALECTS
from .csv import CONTENT_TYPE as CSV_CONTENT_TYPE
from .formulas import FORMULA_TRIGGERS, neutralise
from .presets import apply_preset, save_preset, select_columns
from .rows import lead_rows
from .streaming import iter_csv
from .workbooks import write_xlsx
from .xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

__all__ = [
    "BOM",
    "CONTENT_TYPES",
    "CSV_DIALECTS",
    "CSV_CONTENT_TYPE",
    "FORMULA_TRIGGERS",
    "XLSX_CONTENT_TYPE",
    "columns_for",
    "export_columns",
    "iter_csv",
    "lead_rows",
    "neutralise",
    "write_xlsx",
    "apply_preset",
    "save_preset",
    "select_columns",
]
