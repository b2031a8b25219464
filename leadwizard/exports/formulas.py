"""Formula injection and typed text: what a CSV cell needs so that spreadsheets show it as typed and run nothing.

Found with LibreOffice 7.4's CSV import (``soffice --headless --convert-to xlsx``,
the cells read back with openpyxl; docs/extending.md, "Lead exports: columns,
language and what spreadsheets make of the CSV"):

* A quoted field starting with ``=`` is still a formula, and it is evaluated:
  ``"=1+2"`` becomes 3. With an apostrophe first (``'=1+2``) it is the text
  ``'=1+2``, apostrophe included: never evaluated.
* ``+``, ``-`` and ``@`` do not start formulas in LibreOffice: ``+49 30 1234567``,
  ``-2+3@example.org`` and ``@SUM(A1)`` stay text as typed. But what reads as a
  number becomes one, quoted or not: ``0301234567`` the number 301234567,
  ``+4930123`` 4930123, ``-5`` -5, ``1.5`` 1.5, ``2024-05-01`` a date; spaces
  around it do not help (``" 0301234567"`` is a number too).
* A zero-width character before such text keeps it text and shows it as typed:
  U+2060 WORD JOINER, which is no white space (nothing trims it) and which
  dialers and mail programs ignore.

Excel (which we could not run) evaluates a field that starts with ``=``, ``+``,
``-`` or ``@`` when the whole field is a valid formula (OWASP "CSV injection"),
also when quoted. So text starting with one of the ``FORMULA_TRIGGERS`` gets the
apostrophe, except a plain phone number or e-mail address (``PHONE``, ``EMAIL``):
those hold no letters beside an address's, no parentheses after a name, no ``|``
or ``!``, so at most Excel could read them as arithmetic, never as a function
call or DDE link, and a visible apostrophe would break them for every
marketing tool that reads the file. Text that a spreadsheet reads as a number
or date (``NUMBER``) gets the word joiner, also such phone numbers. Numbers that
are numbers (ints) are written bare and stay numbers.

XLSX needs none of this: text is written as typed text cells.
"""

import re

# The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"),
# with the full-width forms that some spreadsheet programs normalise.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
# Triggers after which a phone number or e-mail address is left as typed.
SIGNS = frozenset("+-@")

# Invisible, zero-width, no white space: keeps number-like text from being read as a number.
WORD_JOINER = "\u2060"

# The patterns are written so that Python (fullmatch) and PostgreSQL (~ '^(?:...)$') read
# them alike: CsvFields applies them in SQL.
PHONE = r"[+-][0-9 ()/.-]*[0-9][0-9 ()/.-]*"
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
NUMBER = (
    r" *("
    r"[+-]?[0-9]+([.,][0-9]+)*([eE][+-]?[0-9]+)?%?"  # 12, -5, 1.234,5, 1e5, 50%
    r"|[+-]?[.,][0-9]+"  # .5
    r"|\([0-9]+([.,][0-9]+)*\)"  # (12): negative in accounting formats
    r"|[0-9]{1,4}[-./][0-9]{1,2}([-./][0-9]{1,4})?"  # dates: 2024-05-01, 1.5.2024, 5/1
    r"|[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?"  # times
    r") *"
)
_PHONE = re.compile(PHONE)
_EMAIL = re.compile(EMAIL)
_NUMBER = re.compile(NUMBER)
# The first characters of text that NUMBER can match, for a cheap check first.
NUMBER_STARTS = frozenset("0123456789 (.,+-")
# Text starting with none of these is written as it is.
GUARD_STARTS = TRIGGER_SET | NUMBER_STARTS


def is_plain_contact(value):
    """A phone number or e-mail address that no spreadsheet can turn into a function call."""
    return bool(_PHONE.fullmatch(value) or _EMAIL.fullmatch(value))


def neutralise(value):
    """A CSV cell's text that spreadsheets show as typed and never evaluate (see the module docstring).

    Formula-like text gets a leading apostrophe, text read as a number a leading
    word joiner; plain phone numbers and e-mail addresses get no apostrophe.
    """
    if not isinstance(value, str) or value[:1] not in GUARD_STARTS:
        return value
    if value[:1] in TRIGGER_SET and not (value[:1] in SIGNS and is_plain_contact(value)):
        return "'" + value
    if _NUMBER.fullmatch(value):
        return WORD_JOINER + value
    return value
