"""Lead exports as plain data: the columns, the rows, CSV lines and XLSX workbooks.

Shared by the admin export (``export_views``), the background task (``export_tasks``)
and the ``export_leads`` command, so every way out gives the same rows and columns.

Columns: one per question key, in questionnaire order, then contact, consent,
source and status columns (``FIXED_COLUMNS``). Answers are written as the stored
option keys (machine-readable; list answers joined with ", "); headers use the
question labels. Rows come in a stable order (by id, oldest first), read in chunks
by keyset pagination, so memory stays flat however many leads there are. Dates are
in the site's time zone (CSV: ISO 8601 with the offset; XLSX: date cells); yes/no
values are "yes"/"no" in CSV and boolean cells in XLSX.

Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab,
carriage return, line feed or a full-width ``＝ ＋ － ＠`` is made inert. CSV: the
value gets a leading apostrophe (every text value is quoted); XLSX: it is written
as a text cell with the text number format, so it is shown as typed and never
evaluated, also not after editing the cell.
"""

import json
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F, Func, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CHUNK_SIZE = 2000
BOM = "\ufeff"
# The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"),
# with the full-width forms that some spreadsheet programs normalise.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ANSWER_PREFIX = "answers."
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
# Question keys that hold postcodes: always text, or "01067" would become 1067.
POSTCODE_KEYS = frozenset({"postcode", "postal_code", "zip", "zip_code", "zipcode", "plz", "postleitzahl"})

# (column key, lead field read from the database, header); None: the field's verbose name.
FIXED_COLUMNS = (
    ("created_at", "created_at", None),
    ("status", "status", None),
    ("assignee", None, None),  # the assignee's user name
    ("name", "name", None),
    ("company", "company", None),
    ("email", "email", None),
    ("phone", "phone", None),
    ("message", "message", None),
    ("consent_given_at", "consent_given_at", None),
    ("consent_version", "consent_version", None),
    ("marketing_consent", "marketing_consent", None),
    ("marketing_confirmed_at", "marketing_confirmed_at", None),
    ("source_url", "source_url", None),
    ("locale", "locale", None),
    ("landing_url", "landing_url", None),
    ("referrer", "referrer", None),
    ("utm_source", "utm_source", None),
    ("utm_medium", "utm_medium", None),
    ("utm_campaign", "utm_campaign", None),
    ("utm_term", "utm_term", None),
    ("utm_content", "utm_content", None),
    ("match_count", "match_count", None),
    ("top_vendors", "top_matches", _("Top vendors")),
)
FIXED_KEYS = tuple(key for key, _field, _header in FIXED_COLUMNS)
TEXT_COLUMNS = frozenset({"phone"})


_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)


def neutralise(value):
    """A CSV cell value that no spreadsheet evaluates: text starting with a formula trigger gets a "'"."""
    if isinstance(value, str) and value[:1] in _TRIGGER_SET:
        return "'" + value
    return value


# Columns --------------------------------------------------------------------------------


def answer_key(column_key):
    """The question key of an answer column, or None for a fixed column."""
    return column_key[len(ANSWER_PREFIX) :] if column_key.startswith(ANSWER_PREFIX) else None


def export_columns(questionnaires):
    """The export's columns as ``[(key, header), ...]``.

    ``questionnaires``: questionnaires (or their ``Definition``\\ s), the source
    language first (``export_questionnaires`` orders them so). First one column per
    question key in questionnaire order, the union over all of them: translations
    share their keys, so German and English leads share columns, and the header is
    the label of the first questionnaire that has the key. Answer column keys are
    ``"answers.<question key>"``. Then the fixed columns of ``FIXED_COLUMNS``.
    """
    from .models import Lead

    columns, seen = [], set()
    for questionnaire in questionnaires:
        definition = getattr(questionnaire, "definition", questionnaire)
        for step in definition.steps:
            for question in step.questions:
                if question.key not in seen:
                    seen.add(question.key)
                    columns.append((ANSWER_PREFIX + question.key, str(question.label or question.key)))
    for key, field, header in FIXED_COLUMNS:
        header = str(Lead._meta.get_field(field or key).verbose_name if header is None else header)
        # Technical names (utm_source, ...) stay as they are.
        columns.append((key, header if "_" in header else capfirst(header)))
    return columns


def export_questionnaires(queryset):
    """The questionnaires of the leads in ``queryset`` and their translations, default language first."""
    from wagtail.models import Locale

    from .models import Questionnaire

    used = Questionnaire.objects.filter(pk__in=queryset.order_by().values("questionnaire_id"))
    questionnaires = list(
        Questionnaire.objects.filter(translation_key__in=used.values("translation_key")).order_by("pk")
    )
    try:
        default_locale_id = Locale.get_default().pk
    except Locale.DoesNotExist:
        default_locale_id = None
    questionnaires.sort(key=lambda q: (q.locale_id != default_locale_id, q.pk))
    return questionnaires


def columns_for(queryset):
    """``export_columns`` for the questionnaires of the leads in ``queryset``."""
    return export_columns(export_questionnaires(queryset))


# Rows ------------------------------------------------------------------------------------


def iter_chunks(queryset, fields, chunk_size=CHUNK_SIZE):
    """Lists of ``values_list`` tuples ``(pk, *fields)`` in id order, ``chunk_size`` at a time.

    Keyset pagination on the primary key: each chunk is one short query
    (``id > last id ORDER BY id LIMIT n``), never an OFFSET, and no more than one
    chunk is held in memory. Leads added while the export runs come at the end.
    """
    base = queryset.order_by("pk").values_list("pk", *fields)
    last = None
    while True:
        records = list((base if last is None else base.filter(pk__gt=last))[:chunk_size])
        if not records:
            return
        yield records
        if len(records) < chunk_size:
            return
        last = records[-1][0]


# SQLite picks out the first MAX_VENDORS names; a lead with more matches is read in full.
MAX_VENDORS = 10


def _database_json(connection):
    """True when the export can pick values out of the JSON columns in SQL (SQLite and PostgreSQL)."""
    return connection.vendor in ("sqlite", "postgresql")


class VendorNames(Func):
    """The ``vendor`` names in a ``top_matches`` array as a JSON array (text), picked out by the database.

    Decoding every lead's matches, with their reasons, in Python would cost more
    than all the rest of a row. On SQLite the array has ``MAX_VENDORS + 1``
    entries, padded with nulls; a name in the last one means there are more.
    """

    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        paths = ", ".join(f"'$[{index}].vendor'" for index in range(MAX_VENDORS + 1))
        return self.as_sql(
            compiler, connection, template=f"json_extract(%(expressions)s, {paths})", **extra_context
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "jsonb_path_query_array(%(expressions)s, '$[*].vendor')::text"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class AnswerValues(Func):
    """The answers to ``keys`` as one JSON array (text) in that order, null where missing; in SQL."""

    arity = 1
    output_field = TextField()

    def __init__(self, keys):
        super().__init__(F("answers"))
        self.keys = list(keys)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        paths = ["$." + json.dumps(key) for key in self.keys]
        if len(paths) == 1:  # one path gives the bare value, several an array
            paths.append(paths[0])
        return f"json_extract({column}, {', '.join(['%s'] * len(paths))})", (*params, *paths)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        items = ", ".join([f"{column} -> %s"] * len(self.keys))
        values = [value for key in self.keys for value in (*params, key)]
        return f"jsonb_build_array({items})::text", tuple(values)


def _username_field():
    return "assignee__" + get_user_model().USERNAME_FIELD


_FIELDS = {key: field for key, field, _header in FIXED_COLUMNS}
_DATETIMES = frozenset({"created_at", "consent_given_at", "marketing_confirmed_at"})


def _parse_datetime(text, zone):
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:  # SQLite stores UTC without an offset
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone)


def _top_vendors(matches):
    return ", ".join(
        str(match["vendor"]) for match in matches or () if isinstance(match, dict) and "vendor" in match
    )


class _RowPlan:
    """How to read the columns' values from the database and put them in order.

    Dates are read as text and parsed here, and on SQLite and PostgreSQL the
    answers and vendor names are picked out of the JSON by the database: Django's
    per-value converters and decoding whole JSON documents would cost more than
    everything else in a row.
    """

    def __init__(self, queryset, columns):
        in_database = _database_json(connections[queryset.db])
        self.model = queryset.model
        self.answer_keys = [
            key for key in map(answer_key, (key for key, _header in columns)) if key is not None
        ]
        annotations = {}
        self.answers_in_database = in_database
        if self.answer_keys and in_database:
            annotations["_answers"] = AnswerValues(self.answer_keys)
            self.fields = ["_answers"]
        else:
            self.fields = ["answers"]
        self.vendors_in_database = in_database
        places = []  # per column: ("record", field) or ("answer", number)
        for key, _header in columns:
            question_key = answer_key(key)
            if question_key is not None:
                places.append(("answer", self.answer_keys.index(question_key)))
                continue
            if key == "assignee":
                field = _username_field()
            elif key == "top_vendors":
                field = "_top_vendors" if in_database else "top_matches"
                if in_database:
                    annotations[field] = VendorNames("top_matches")
            elif key in _DATETIMES:
                field = f"_{key}_text"
                annotations[field] = Cast(key, TextField())
            else:
                field = _FIELDS.get(key, key)
            if field not in self.fields:
                self.fields.append(field)
            places.append(("record", field))
        self.queryset = queryset.annotate(**annotations) if annotations else queryset
        # Records are (pk, *fields); answers follow them in the flat tuple that a row is picked from.
        width = len(self.fields) + 1
        self.positions = [
            width + where if place == "answer" else self.fields.index(where) + 1 for place, where in places
        ]
        self.answer_positions = [n for n, (place, _where) in enumerate(places) if place == "answer"]
        self.datetime_positions = [n for n, (key, _header) in enumerate(columns) if key in _DATETIMES]
        self.vendor_positions = [n for n, (key, _header) in enumerate(columns) if key == "top_vendors"]
        self.answers_index = 1

    def answers(self, record):
        value = record[self.answers_index]
        if self.answers_in_database:
            return json.loads(value) if value else [None] * len(self.answer_keys)
        if not isinstance(value, dict):
            value = {}
        return [value.get(key) for key in self.answer_keys]

    def vendors(self, value, pk):
        if not self.vendors_in_database:
            return _top_vendors(value)
        names = json.loads(value) if value else []
        if len(names) > MAX_VENDORS and names[MAX_VENDORS] is not None:  # SQLite gave only the first ones
            return _top_vendors(
                self.model._default_manager.filter(pk=pk).values_list("top_matches", flat=True).first()
            )
        return ", ".join([str(name) for name in names if name is not None])

    def rows(self, records, zone):
        positions = self.positions
        for record in records:
            flat = (*record, *self.answers(record)) if self.answer_keys else record
            row = [flat[index] for index in positions]
            for index in self.answer_positions:
                value = row[index]
                if type(value) is list:
                    row[index] = ", ".join(map(str, value))
                elif type(value) is dict:  # not written by the wizard; kept readable
                    row[index] = json.dumps(value, ensure_ascii=False)
            for index in self.datetime_positions:
                row[index] = _parse_datetime(row[index], zone)
            for index in self.vendor_positions:
                row[index] = self.vendors(row[index], record[0])
            yield row


def lead_rows(queryset, columns, chunk_size=CHUNK_SIZE, progress=None):
    """The export's rows: one list of plain values per lead, in the order of ``columns``.

    Values are str, int, bool, None or aware datetimes in the site's time zone
    (``TIME_ZONE``, whoever exports);
    list answers are their option keys joined with ", ", ``top_vendors`` the names
    of the best matches. Leads come in id order (oldest first), read in chunks of
    ``chunk_size``; ``progress(rows_done)`` is called after every chunk.
    """
    plan = _RowPlan(queryset, columns)
    zone = timezone.get_default_timezone()
    done = 0
    for records in iter_chunks(plan.queryset, plan.fields, chunk_size):
        yield from plan.rows(records, zone)
        done += len(records)
        if progress is not None:
            progress(done)


# CSV -------------------------------------------------------------------------------------


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


def csv_line(row):
    """One CSV line (CRLF) of plain values: text quoted, inner quotes doubled, formula-like text inert.

    The same as ``csv.writer(quoting=csv.QUOTE_NONNUMERIC)`` writes, except that
    None is an empty, unquoted field; written by hand as it is three times faster.
    """
    return (
        ",".join(
            [
                # The common case inline: text, neutralised and quoted.
                ('"' + ("'" + value if value[:1] in _TRIGGER_SET else value).replace('"', '""') + '"')
                if type(value) is str
                else _csv_field(value)
                for value in row
            ]
        )
        + "\r\n"
    )


def iter_csv(queryset, columns=None, chunk_size=CHUNK_SIZE, progress=None):
    """The leads of ``queryset`` as UTF-8 CSV, as a generator of bytes for streaming.

    Starts with a UTF-8 byte order mark, so that Excel detects the encoding, and the
    header row, yielded at once (before any lead is read); then one block of lines
    per chunk of ``chunk_size`` leads. Comma-separated, CRLF line ends (RFC 4180);
    text values are quoted, numbers are not. Memory stays constant.
    """
    if columns is None:
        columns = columns_for(queryset)
    yield (BOM + csv_line([header for _key, header in columns])).encode()
    lines = []
    for row in lead_rows(queryset, columns, chunk_size=chunk_size, progress=progress):
        lines.append(csv_line(row))
        if len(lines) >= chunk_size:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


# XLSX ------------------------------------------------------------------------------------


def _is_text_column(key):
    return key in TEXT_COLUMNS or (answer_key(key) or "").lower() in POSTCODE_KEYS


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

    text_columns = [_is_text_column(key) for key, _title in columns]
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
                if is_text or value[:1] in _TRIGGER_SET or value in ERROR_CODES:
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
