"""Formula injection: the first characters that make a spreadsheet evaluate a cell, and making text inert.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return, line
feed or a full-width ``＝ ＋ － ＠`` is made inert. CSV: the value gets a leading
apostrophe (every text value is quoted); XLSX: it is written as a text cell with
the text number format, so it is shown as typed and never evaluated, also not
after editing the cell.
"""

# The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"),
# with the full-width forms that some spreadsheet programs normalise.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


TRIGGER_SET = frozenset(FORMULA_TRIGGERS)


def neutralise(value):
    """A CSV cell value that no spreadsheet evaluates: text starting with a formula trigger gets a "'"."""
    if isinstance(value, str) and value[:1] in TRIGGER_SET:
        return "'" + value
    return value
