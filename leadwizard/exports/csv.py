"""Lead exports as UTF-8 CSV, streamed a chunk at a time.

The CSV is made a chunk at a time (``csv_block``): a column at once, with str
methods over all its values, and on PostgreSQL the database writes the text,
yes/no and number fields itself (``CsvFields``) while a thread reads the next
chunk (``iter_chunks_read_ahead``). The bytes are the same as ``csv_line`` of
every row of ``lead_rows``; the fast ways check that the values are plain
(PostgreSQL's JSON text without escapes, UTC dates in whole-hour offsets, ...)
and leave anything else to the per-value code.
"""

import json
import re
from datetime import datetime, timedelta
from itertools import repeat

from django.utils import timezone

from .columns import columns_for
from .database import MAX_VENDORS
from .formulas import FORMULA_TRIGGERS, TRIGGER_SET, neutralise
from .reading import CHUNK_SIZE, iter_chunks_read_ahead
from .rows import RowPlan, parse_datetime

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_value(value):
    """A plain row value as CSV text: dates in ISO 8601 with offset, booleans yes/no, inert text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return neutralise(value)
    return value


def _csv_field(value):
    """One CSV field of a value that is not a str: numbers bare, everything else quoted text."""
    if value is None:
        return ""
    if type(value) is int or type(value) is float:
        return repr(value)
    return '"' + str(csv_value(value)).replace('"', '""') + '"'


def csv_field(value):
    """One CSV field of a plain value, as ``csv_line`` writes it."""
    if type(value) is str:
        return '"' + ("'" + value if value[:1] in TRIGGER_SET else value).replace('"', '""') + '"'
    return _csv_field(value)


def csv_line(row):
    """One CSV line (CRLF) of plain values: text quoted, inner quotes doubled, formula-like text inert.

    The same as ``csv.writer(quoting=csv.QUOTE_NONNUMERIC)`` writes, except that
    None is an empty, unquoted field; written by hand as it is three times faster.
    """
    return (
        ",".join(
            [
                # The common case inline: text, neutralised and quoted.
                ('"' + ("'" + value if value[:1] in TRIGGER_SET else value).replace('"', '""') + '"')
                if type(value) is str
                else _csv_field(value)
                for value in row
            ]
        )
        + "\r\n"
    )


# csv_block formats a column of a chunk at once, with a few passes of str methods over
# its values joined by a separator: a Python call per value would cost more than all the
# rest. PostgreSQL text never holds NUL; a value that does (SQLite) is formatted alone.
_SEPARATOR = "\x00"
_NEUTRALISE_AFTER_SEPARATOR = re.compile(_SEPARATOR + "(?=[" + re.escape("".join(FORMULA_TRIGGERS)) + "])")
_BOOL_FIELDS = {True: '"yes"', False: '"no"', None: ""}
_NONE_TYPE = type(None)


def _quoted(joined):
    """``csv_text_fields`` of the texts in ``joined``, separated by ``_SEPARATOR`` (which none holds)."""
    joined = _NEUTRALISE_AFTER_SEPARATOR.sub(_SEPARATOR + "'", joined.replace('"', '""'))
    if joined[:1] in TRIGGER_SET:
        joined = "'" + joined
    return ('"' + joined.replace(_SEPARATOR, '"' + _SEPARATOR + '"') + '"').split(_SEPARATOR)


def csv_text_fields(texts):
    """``csv_field`` of each of a sequence of str, at once."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        return [csv_field(text) for text in texts]
    return _quoted(joined)


def csv_fields(values):
    """``csv_field`` of each of one column's values; text, whole-number and yes/no columns at once."""
    types = set(map(type, values))
    if types == {str}:
        return csv_text_fields(values)
    if types == {int}:
        return list(map(str, values))
    if types <= {bool, _NONE_TYPE}:
        return list(map(_BOOL_FIELDS.__getitem__, values))
    if types == {str, _NONE_TYPE}:
        fields = csv_text_fields(["" if value is None else value for value in values])
        for index, value in enumerate(values):
            if value is None:
                fields[index] = ""
        return fields
    return [csv_field(value) for value in values]


class _LocalTimeTexts:
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
    """One question's answers as ``lead_rows`` has them: lists joined with ", ", objects as JSON."""
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


def _json_answer_fields(texts):
    """The CSV fields of one question's answers given as JSON texts (None: no answer).

    Columns of strings, lists of strings or whole numbers, as PostgreSQL writes
    them, are read without decoding; anything else is decoded.
    """
    if None not in texts:
        joined = _SEPARATOR.join(texts)
        strings = _json_strings(joined, len(texts))
        if strings is not None:
            return _quoted(strings)
        digits = joined.replace(_SEPARATOR, "")
        if digits.isdigit() and digits.isascii() and "" not in texts:
            return list(texts)  # whole numbers: JSON writes them as Python does
    return csv_fields(_answer_texts([None if text is None else json.loads(text) for text in texts]))


def _vendor_names_text(value):
    """The names in a JSON array text of plain strings, joined with ", "; None for anything else."""
    if value == "[]":
        return ""
    if value.count('", "') < MAX_VENDORS:
        return _json_strings(value, 1) if value[:1] == "[" else None
    return None


def _vendor_fields(plan, pks, values):
    """The CSV fields of the top vendors column: the names joined with ", ", as ``plan.vendors`` has them."""
    if plan.vendors_in_database and None not in values:
        names = _json_strings(_SEPARATOR.join(values), len(values))
        if names is not None and max(map(str.count, values, repeat('", "'))) < MAX_VENDORS:
            return _quoted(names)
    names = []
    for pk, value in zip(pks, values, strict=True):
        text = _vendor_names_text(value) if plan.vendors_in_database and value else None
        names.append(plan.vendors(value, pk) if text is None else text)
    return csv_fields(names)


def csv_block(plan, records, dates):
    """The CSV lines of a chunk of records of a CSV ``plan``, as one str: ``csv_line`` of each row."""
    by_field = list(zip(*records, strict=True))
    answers = ()
    if plan.answer_keys and not plan.answers_by_key:
        answers = list(zip(*map(plan.answers, records), strict=True))
    columns = []
    for kind, where in plan.csv_columns:
        if kind == "csv":  # written by the database
            columns.append(by_field[where])
        elif kind == "answer_json":
            columns.append(_json_answer_fields(by_field[where]))
        elif kind == "answer":
            columns.append(csv_fields(_answer_texts(answers[where])))
        elif kind == "datetime":
            columns.append(dates.column(by_field[where]))
        elif kind == "vendors":
            columns.append(_vendor_fields(plan, by_field[0], by_field[where]))
        else:
            columns.append(csv_fields(by_field[where]))
    return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"


def iter_csv(queryset, columns=None, chunk_size=CHUNK_SIZE, progress=None):
    """The leads of ``queryset`` as UTF-8 CSV, as a generator of bytes for streaming.

    Starts with a UTF-8 byte order mark, so that Excel detects the encoding, and the
    header row, yielded at once (before any lead is read); then one block of lines
    per chunk of ``chunk_size`` leads. Comma-separated, CRLF line ends (RFC 4180);
    text values are quoted, numbers are not. Memory stays constant.

    The lines are those of ``csv_line`` for the rows of ``lead_rows``, made a
    column at a time (``csv_block``); on PostgreSQL the database writes part of
    the fields and reads the next chunk meanwhile (``iter_chunks_read_ahead``).
    """
    if columns is None:
        columns = columns_for(queryset)
    yield (BOM + csv_line([header for _key, header in columns])).encode()
    plan = RowPlan(queryset, columns, csv=True)
    dates = _LocalTimeTexts(timezone.get_default_timezone())
    done = 0
    chunks = iter_chunks_read_ahead(plan.queryset, plan.fields, chunk_size)
    try:
        for records in chunks:
            yield csv_block(plan, records, dates).encode()
            done += len(records)
            if progress is not None:
                progress(done)
    finally:
        chunks.close()  # a download broken off stops the reading at once
