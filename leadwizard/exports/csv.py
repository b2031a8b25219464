"""Lead exports as CSV in two dialects, streamed a chunk at a time.

``excel_de`` is what German Excel opens with a double click: ``;`` between
fields (its list separator; with ``,`` everything lands in one column),
decimal comma. ``rfc4180`` is RFC 4180: ``,`` and decimal point. Both are UTF-8
with a byte order mark and CRLF line ends: Excel reads a CSV without a BOM in
the Windows code page (``MÃ¼ller``), so the BOM is kept for ``rfc4180`` too.
LibreOffice's import dialog offers UTF-8 and the separator; its import without
any options (``soffice --headless --convert-to``, the API's default) reads
every CSV as Windows-1252 with ``,`` and ignores the BOM, whatever the file
holds: no UTF-8 representation opens right there (docs/extending.md, "Lead
exports: columns, language and what spreadsheets make of the CSV").

Every text value is quoted and guarded as ``formulas.neutralise`` says; whole
numbers are bare. The CSV is made a chunk at a time (``csv_block``): a column
at once, with str methods over all its values, and on PostgreSQL the database
writes the text, yes/no and number fields itself (``CsvFields``) while a thread
reads the next chunk (``iter_chunks_read_ahead``). The bytes are the same as
``CsvDialect.line`` of every row of ``lead_rows``; the fast ways check that the
values are plain (PostgreSQL's JSON text without escapes, UTC dates in
whole-hour offsets, ...) and leave anything else to the per-value code.
"""

import json
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from .formulas import GUARD_STARTS, neutralise
from .rows import ValueMemo, chunk_by_field, chunk_notes, parse_datetime

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"

# The CSV dialects a caller picks from: key -> label for menus.
CSV_DIALECTS = {
    "excel_de": _("Excel (German): semicolons, UTF-8 with byte order mark"),
    "rfc4180": _("RFC 4180: commas, UTF-8 with byte order mark"),
}


def csv_value(value, decimal_separator="."):
    """A plain row value as CSV text: dates in ISO 8601 with offset, decimals with the separator, inert text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float):
        return repr(value).replace(".", decimal_separator)
    return value


class CsvDialect:
    """How one CSV dialect writes fields and lines: the separator, the decimal separator."""

    def __init__(self, separator, decimal_separator):
        self.separator = separator
        self.decimal_separator = decimal_separator

    def field(self, value):
        """One CSV field of a plain value: text quoted and guarded, whole numbers bare, None empty."""
        if value is None:
            return ""
        if type(value) is int:
            return str(value)
        text = str(csv_value(value, self.decimal_separator))
        if type(value) is float:
            return text  # a bare number, "1,5" in excel_de: no separator to quote
        return '"' + text.replace('"', '""') + '"'

    def line(self, row):
        """One CSV line (CRLF) of plain values: the reference for everything ``csv_block`` writes."""
        return self.separator.join([self.field(value) for value in row]) + "\r\n"

    def text_fields(self, texts):
        """``field`` of each of a sequence of str, at once when none needs a guard."""
        if GUARD_STARTS.isdisjoint({text[:1] for text in texts}):
            joined = _SEPARATOR.join(texts)
            if joined.count(_SEPARATOR) == len(texts) - 1:
                return (
                    '"' + joined.replace('"', '""').replace(_SEPARATOR, '"' + _SEPARATOR + '"') + '"'
                ).split(_SEPARATOR)
        return [self.field(text) for text in texts]

    def fields(self, values):
        """``field`` of each of one column's values; text and whole-number columns at once."""
        types = set(map(type, values))
        if types == {str}:
            return self.text_fields(values)
        if types == {int}:
            return list(map(str, values))
        if types == {str, _NONE_TYPE}:
            fields = self.text_fields(["" if value is None else value for value in values])
            for index, value in enumerate(values):
                if value is None:
                    fields[index] = ""
            return fields
        return [self.field(value) for value in values]


DIALECTS = {"excel_de": CsvDialect(";", ","), "rfc4180": CsvDialect(",", ".")}


def get_dialect(dialect):
    try:
        return DIALECTS[dialect]
    except KeyError:
        raise ValueError(f"Unknown CSV dialect {dialect!r}; one of {', '.join(DIALECTS)}") from None


def csv_field(value, dialect="excel_de"):
    """One CSV field of a plain value, as ``csv_line`` writes it."""
    return get_dialect(dialect).field(value)


def csv_fields(values, dialect="excel_de"):
    """``csv_field`` of each of one column's values."""
    return get_dialect(dialect).fields(values)


def csv_line(row, dialect="excel_de"):
    """One CSV line (CRLF) of plain values: text quoted, inner quotes doubled, guarded (``neutralise``)."""
    return get_dialect(dialect).line(row)


# csv_block formats a column of a chunk at once, with a few passes of str methods over
# its values joined by a separator: a Python call per value would cost more than all the
# rest. PostgreSQL text never holds NUL; a value that does (SQLite) is formatted alone.
_SEPARATOR = "\x00"
_NONE_TYPE = type(None)


class LocalTimeTexts:
    """CSV fields of dates the database gave as UTC text: local ISO 8601 with the offset, quoted.

    What ``parse_datetime`` and ``isoformat`` make of them, but in the usual case
    without either: per hour (UTC) the local date, hour and offset are worked out
    once, and when the offset is whole hours, the same all the hour, minutes and
    seconds are copied from the text.
    """

    MAX_HOURS = 4096  # bounds the memo; an export's leads span a few thousand hours at most

    def __init__(self, zone):
        self.zone = zone
        self.hours = {None: ("", "")}  # hour (UTC) -> (text before the minutes, after the seconds) or False

    def column(self, texts):
        """The fields of a column of texts (None: no date)."""
        present = [text for text in texts if text is not None] if None in texts else texts
        joined = _SEPARATOR.join(present)
        # PostgreSQL's "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (its session is in UTC), all of them.
        if joined.count("+00" + _SEPARATOR) == len(present) - 1 and joined.endswith("+00"):
            hours = {text[:13] for text in present}
            if len(self.hours) + len(hours) > self.MAX_HOURS:
                self.hours = {None: ("", "")}
            if all(self.hours.get(hour) or self._hour(hour) for hour in hours):
                hour_of = self.hours.__getitem__
                return [
                    before + text[13:19] + after if text else ""
                    for text in texts
                    for before, after in (hour_of(text[:13] if text else None),)
                ]
        return list(map(self, texts))

    def __call__(self, text):
        if text is None:
            return ""
        # As above, or "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) from SQLite.
        if text[-3:] == "+00" or len(text) in (19, 26):
            hour = self.hours.get(text[:13])
            if hour is None:
                if len(self.hours) >= self.MAX_HOURS:
                    self.hours = {None: ("", "")}
                hour = self._hour(text[:13])
            if hour:
                return hour[0] + text[13:19] + hour[1]
        return '"' + parse_datetime(text, self.zone).isoformat(sep=" ", timespec="seconds") + '"'

    def _hour(self, key):
        """Work out the UTC hour ``key`` ("YYYY-MM-DD HH") for the memo; False when it won't do."""
        hour = False
        try:
            start = datetime.fromisoformat(key + ":00:00+00:00") if key[10:11] == " " else None
        except ValueError:
            start = None
        if start is not None:
            first = start.astimezone(self.zone)
            last = (start + timedelta(seconds=3599, microseconds=999999)).astimezone(self.zone)
            offset = first.utcoffset()
            if offset == last.utcoffset() and offset % timedelta(hours=1) == timedelta(0):
                text = first.isoformat(sep=" ", timespec="seconds")
                hour = ('"' + text[:13], text[19:] + '"')
        self.hours[key] = hour
        return hour


def _json_strings(joined, count):
    """The ``count`` JSON texts in ``joined``, each ``"a"`` or ``["a", "b"]``, as text ("a", "a, b"); or None.

    PostgreSQL writes a string without escapes as ``"a"`` and an array of such
    strings as ``["a", "b"]``. Without a backslash no string holds a quote, so
    two quotes per string, and a ", " between each two, show that the values are
    nothing else (a number or null among them would leave a quote pair without
    its separator). Returns the texts, still separated by ``_SEPARATOR``.
    """
    if "\\" in joined:
        return None
    quotes = joined.count('"')
    if joined[:1] == '"' and joined[-1:] == '"':
        if quotes == 2 * count and joined.count('"' + _SEPARATOR + '"') == count - 1:
            return joined[1:-1].replace('"' + _SEPARATOR + '"', _SEPARATOR)
    elif (
        joined[:2] == '["'
        and joined[-2:] == '"]'
        and joined.count('"]' + _SEPARATOR + '["') == count - 1
        and quotes == 2 * (joined.count('", "') + count)
    ):
        return joined[2:-2].replace('", "', ", ").replace('"]' + _SEPARATOR + '["', _SEPARATOR)
    return None


def _answer_texts(values):
    """One question's answers as ``lead_rows`` has them without labels: lists joined, objects as JSON."""
    types = set(map(type, values))
    if list not in types and dict not in types:
        return values
    if types == {list}:
        try:
            return list(map(", ".join, values))
        except TypeError:  # not only text in the lists
            pass
    return [
        ", ".join(map(str, value))
        if type(value) is list
        else json.dumps(value, ensure_ascii=False)
        if type(value) is dict
        else value
        for value in values
    ]


def _json_answer_fields(dialect, texts):
    """The CSV fields of one question's answers as stored, given as JSON texts (None: no answer).

    Columns of strings, lists of strings or whole numbers, as PostgreSQL writes
    them, are read without decoding; anything else is decoded.
    """
    if None not in texts:
        joined = _SEPARATOR.join(texts)
        strings = _json_strings(joined, len(texts))
        if strings is not None:
            return dialect.text_fields(strings.split(_SEPARATOR))
        digits = joined.replace(_SEPARATOR, "")
        if digits.isdigit() and digits.isascii() and "" not in texts:
            return list(texts)  # whole numbers: JSON writes them as Python does
    return dialect.fields(_answer_texts([None if text is None else json.loads(text) for text in texts]))


def _labelled_json_fields(plan, dialect, key, questionnaire_ids, texts):
    """The CSV fields of one question's answers as labels, given as JSON texts, looked up in a memo.

    A question's answers are a handful of options and their combinations, so the
    field of each (questionnaire, JSON text) is made once, by the per-value code,
    and then looked up: no JSON decoding, label lookup or quoting per lead.
    """
    pairs = (
        list(zip(questionnaire_ids, texts, strict=True)) if questionnaire_ids else [(None, t) for t in texts]
    )

    def work_out(missing):
        values = [None if text is None else json.loads(text) for _id, text in missing]
        return dialect.fields(plan.words.answer_labels(key, [pk for pk, _text in missing], values))

    return plan.label_fields.setdefault(key, ValueMemo()).column(pairs, work_out)


def csv_block(plan, records, dates, dialect, zone):
    """The CSV lines of a chunk of records of a CSV ``plan``, as one str: ``dialect.line`` of each row."""
    return "\r\n".join(csv_lines(plan, records, dates, dialect, zone)) + "\r\n"


def csv_lines(plan, records, dates, dialect, zone):
    """The CSV lines of a chunk of records of a CSV ``plan``, without line ends: one str per record."""
    by_field, answers, questionnaire_ids = chunk_by_field(plan, records)
    notes = None
    columns = []
    for kind, where, extra in plan.csv_columns:
        if kind == "csv":  # written by the database
            columns.append(by_field[where])
        elif kind in ("answer_json", "answer"):
            if extra is None:  # as stored
                if kind == "answer_json":
                    columns.append(_json_answer_fields(dialect, by_field[where]))
                else:
                    columns.append(dialect.fields(_answer_texts(answers[where])))
                continue
            if kind == "answer_json":
                columns.append(
                    _labelled_json_fields(plan, dialect, extra, questionnaire_ids, by_field[where])
                )
            else:
                columns.append(
                    dialect.fields(plan.words.answer_labels(extra, questionnaire_ids, answers[where]))
                )
        elif kind == "datetime":
            columns.append(dates.column(by_field[where]))
        elif kind == "vendors":
            columns.append(dialect.fields(plan.vendor_column(by_field[0], by_field[where])))
        elif kind == "notes":
            if notes is None:
                notes = chunk_notes(records, zone)
            columns.append(dialect.fields([notes.get(pk, "") for pk in by_field[0]]))
        elif kind == "words":
            columns.append(dialect.fields([extra.get(value, value) for value in by_field[where]]))
        else:
            columns.append(dialect.fields(by_field[where]))
    return list(map(dialect.separator.join, zip(*columns, strict=True)))
