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

Speed: ``lead_rows`` gives the rows one by one (XLSX, and the reference for
CSV). The CSV is made a chunk at a time instead (``csv_block``): a column at
once, with str methods over all its values, and on PostgreSQL the database
writes the text, yes/no and number fields itself (``CsvFields``) while a thread
reads the next chunk (``iter_chunks_read_ahead``). The bytes are the same as
``csv_line`` of every row of ``lead_rows``; the fast ways check that the values
are plain (PostgreSQL's JSON text without escapes, UTC dates in whole-hour
offsets, ...) and leave anything else to the per-value code.
"""

import json
import queue
import re
import threading
from datetime import UTC, datetime, timedelta
from itertools import repeat
from typing import NamedTuple

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


# Reading chunks --------------------------------------------------------------------------


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


# An id no lead has: it marks the parameter of "id > last id" in the compiled chunk query.
_KEYSET_MARK = -(2**62) - 4099


class _ChunkQueries(NamedTuple):
    """The queries of ``iter_chunks``, compiled once."""

    compiler: object  # applies the ORM's converters to the rows, as values_list would
    first_sql: str
    first_params: tuple
    after_sql: str  # the chunk after the id in after_params[mark]
    after_params: tuple
    mark: int

    def after(self, last):
        params = list(self.after_params)
        params[self.mark] = last
        return self.after_sql, params


def _compile_chunk_queries(queryset, fields, chunk_size):
    """``_ChunkQueries`` for ``iter_chunks``, or None for a query that matches nothing or needs more care."""
    from django.core.exceptions import EmptyResultSet

    base = queryset.order_by("pk").values_list("pk", *fields)
    compiled = []
    for part in (base[:chunk_size], base.filter(pk__gt=_KEYSET_MARK)[:chunk_size]):
        compiler = part.query.get_compiler(using=part.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        if compiler.has_extra_select:  # the ORM would cut the rows short
            return None
        compiled.append((compiler, sql, tuple(params)))
    (compiler, first_sql, first_params), (_compiler, after_sql, after_params) = compiled
    if after_params.count(_KEYSET_MARK) != 1:
        return None
    mark = after_params.index(_KEYSET_MARK)
    return _ChunkQueries(compiler, first_sql, first_params, after_sql, after_params, mark)


def _execute_chunks(free, queries, chunk_size):
    """Run the chunk queries, each on a cursor taken from the queue ``free``; yield ``(cursor, rows)``.

    The rows stay in the cursor for its owner to fetch (and give the cursor back
    to ``free``): this only reads the last row's id for the next query. A None
    from ``free`` stops it.
    """
    sql, params = queries.first_sql, queries.first_params
    while (cursor := free.get()) is not None:
        cursor.execute(sql, params)
        rows = cursor.rowcount
        if rows < chunk_size:
            if rows > 0:
                yield cursor, rows
            return
        cursor.scroll(rows - 1, mode="absolute")
        last = cursor.fetchone()[0]
        cursor.scroll(0, mode="absolute")
        yield cursor, rows
        sql, params = queries.after(last)


def read_ahead(iterator, on_stop=None):
    """Yield the items of ``iterator``, each made in a thread while the caller works on the one before.

    At most two items wait (one handed over, one being made), so memory stays
    flat. An error in the thread is raised here. Closing the generator stops the
    thread after the item it is making; ``on_stop()`` is called first, to wake
    it if it waits for the caller.
    """
    items = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item):
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run():
        try:
            for item in iterator:
                if not hand_over(("item", item)):
                    return
            hand_over(("end", None))
        except BaseException as error:  # raised in the caller's thread
            hand_over(("error", error))

    thread = threading.Thread(target=run, name="lead-export-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = items.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        if on_stop is not None:
            on_stop()
        thread.join()


def iter_chunks_read_ahead(queryset, fields, chunk_size=CHUNK_SIZE):
    """``iter_chunks``, but on PostgreSQL the database works on the next chunk while the caller has this one.

    A thread runs the chunk queries (compiled by the ORM) on two cursors of the
    caller's connection in turn, and the caller fetches each chunk's rows from
    its cursor and gives the cursor back: while this process turns one chunk into
    Python objects and CSV, the database computes the next. psycopg lets threads
    share a connection and runs their queries one after the other, so the caller
    may go on using it (progress updates), and the export sees what the caller's
    connection sees, also inside a transaction. The cursors are Django's, so
    queries are logged and execute wrappers run as for the ORM's own, and the
    ORM's compiler applies its converters to the rows. Elsewhere, and for a query
    that matches nothing, this is ``iter_chunks``.
    """
    connection = connections[queryset.db]
    queries = None
    if connection.vendor == "postgresql":
        queries = _compile_chunk_queries(queryset, fields, chunk_size)
    if queries is None:
        yield from iter_chunks(queryset, fields, chunk_size)
        return
    with connection.cursor() as first, connection.cursor() as second:
        free = queue.Queue()
        free.put(first)
        free.put(second)
        chunks = read_ahead(_execute_chunks(free, queries, chunk_size), on_stop=lambda: free.put(None))
        try:
            for cursor, _rows in chunks:
                rows = cursor.fetchall()
                free.put(cursor)
                yield list(queries.compiler.results_iter(results=[rows]))
        finally:
            chunks.close()  # the thread is done before the cursors are closed


# Database expressions ---------------------------------------------------------------------

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


class AnswerJson(Func):
    """The answer to one question key as JSON text, NULL when there is none (PostgreSQL)."""

    arity = 1
    output_field = TextField()

    def __init__(self, key):
        super().__init__(F("answers"))
        self.key = key

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"({column} -> %s)::text", (*params, self.key)


_TEXT_TYPES = frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField"})
_INTEGER_TYPES = frozenset(
    {
        "IntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
    }
)
# ascii() is the code point of the first character in a UTF-8 database, 0 for "".
_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
# Per kind of column: the SQL of its CSV field ({0}: the column) with the comma before it
# ({sep}: "," or ""). Text of a NOT NULL column needs no COALESCE, and opening quote and
# apostrophe come as one constant: PostgreSQL spends a third of the export's time here.
_CSV_SQL = {
    "text": "CASE WHEN ascii({0}) IN (" + _TRIGGER_CODES + ") THEN '{sep}\"''' ELSE '{sep}\"' END"
    " || replace({0}, '\"', '\"\"') || '\"'",
    "nullable text": "'{sep}' || COALESCE('\"' || CASE WHEN ascii({0}) IN (" + _TRIGGER_CODES + ")"
    " THEN '''' ELSE '' END || replace({0}, '\"', '\"\"') || '\"', '')",
    "bool": "CASE WHEN {0} THEN '{sep}\"yes\"' WHEN NOT {0} THEN '{sep}\"no\"' ELSE '{sep}' END",
    "int": "'{sep}' || COALESCE(({0})::text, '')",
}


class CsvFields(Func):
    """Text, yes/no and whole-number columns as CSV fields joined with commas, written by PostgreSQL.

    The fields ``csv_field`` makes of the values: text quoted, inner quotes
    doubled, a leading formula trigger made inert with an apostrophe; booleans
    "yes"/"no" (quoted); numbers bare; NULL empty. ``kinds``: a key of
    ``_CSV_SQL`` per path. Only for a UTF-8 database (``_writes_csv_in_database``).
    """

    output_field = TextField()

    def __init__(self, paths, kinds):
        super().__init__(*map(F, paths))
        self.kinds = list(kinds)

    def as_postgresql(self, compiler, connection, **extra_context):
        parts, params = [], []
        expressions = self.get_source_expressions()
        for number, (kind, expression) in enumerate(zip(self.kinds, expressions, strict=True)):
            sql, sql_params = compiler.compile(expression)
            template = _CSV_SQL[kind]
            parts.append("(" + template.replace("{sep}", "," if number else "").replace("{0}", sql) + ")")
            params += list(sql_params) * template.count("{0}")
        return " || ".join(parts), tuple(params)


def _simple_kind(model, path):
    """The ``CsvFields`` kind of a field path's values ("text", "nullable text", "bool", "int"), or None."""
    *relations, name = path.split("__")
    nullable = False
    for relation in relations:
        field = model._meta.get_field(relation)
        nullable = nullable or field.null  # no related row: NULL
        model = field.related_model
    field = model._meta.get_field(name)
    internal_type = field.get_internal_type()
    if internal_type in _TEXT_TYPES:
        return "nullable text" if nullable or field.null else "text"
    if internal_type == "BooleanField":
        return "bool"
    if internal_type in _INTEGER_TYPES:
        return "int"
    return None


def _writes_csv_in_database(connection):
    """True when ``CsvFields`` may be used: PostgreSQL with a UTF-8 database."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return connection.connection.info.parameter_status("server_encoding") == "UTF8"


def _username_field():
    return "assignee__" + get_user_model().USERNAME_FIELD


# Rows ------------------------------------------------------------------------------------

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

    ``csv``: the plan is for ``csv_block`` (``csv_columns``). On PostgreSQL each
    answer then comes as its own JSON text, which ``csv_block`` mostly reads
    without decoding, and the runs of text, yes/no and number columns come as
    finished CSV fields (``CsvFields``); ``rows`` is not available then.
    """

    def __init__(self, queryset, columns, csv=False):
        connection = connections[queryset.db]
        in_database = _database_json(connection)
        csv_in_database = csv and _writes_csv_in_database(connection)
        self.model = queryset.model
        self.answer_keys = [
            key for key in map(answer_key, (key for key, _header in columns)) if key is not None
        ]
        self.answers_in_database = in_database
        self.answers_by_key = csv and bool(self.answer_keys) and connection.vendor == "postgresql"
        self.vendors_in_database = in_database
        self.fields = []
        annotations = {}

        def read(field, expression=None):
            """The position of ``field`` in a record (pk first), read once; annotated when ``expression``."""
            if field not in self.fields:
                self.fields.append(field)
                if expression is not None:
                    annotations[field] = expression
            return self.fields.index(field) + 1

        self.answers_index = 1
        if self.answers_by_key:
            answer_positions = [
                read(f"_answer_{number}", AnswerJson(key)) for number, key in enumerate(self.answer_keys)
            ]
        elif self.answer_keys and in_database:
            read("_answers", AnswerValues(self.answer_keys))
        else:
            read("answers")

        places = []  # for rows(): per column ("record", position) or ("answer", number)
        self.csv_columns = []  # for csv_block: per column (kind, record position or answer number)
        runs = {}  # CsvFields to make: field -> (paths, kinds)
        run = None
        for key, _header in columns:
            question_key = answer_key(key)
            path = _username_field() if key == "assignee" else _FIELDS.get(key, key)
            if question_key is not None:
                number = self.answer_keys.index(question_key)
                places.append(("answer", number))
                if self.answers_by_key:
                    self.csv_columns.append(("answer_json", answer_positions[number]))
                else:
                    self.csv_columns.append(("answer", number))
            elif key == "top_vendors":
                if in_database:
                    position = read("_top_vendors", VendorNames("top_matches"))
                else:
                    position = read("top_matches")
                places.append(("record", position))
                self.csv_columns.append(("vendors", position))
            elif key in _DATETIMES:
                position = read(f"_{key}_text", Cast(key, TextField()))
                places.append(("record", position))
                self.csv_columns.append(("datetime", position))
            elif csv_in_database and (kind := _simple_kind(self.model, path)) is not None:
                if run is None:
                    field = f"_csv_{len(runs)}"
                    run = runs[field] = ([], [])
                    self.csv_columns.append(("csv", read(field)))
                run[0].append(path)
                run[1].append(kind)
                continue
            else:
                position = read(path)
                places.append(("record", position))
                self.csv_columns.append(("value", position))
            run = None
        for field, (paths, kinds) in runs.items():
            annotations[field] = CsvFields(paths, kinds)
        self.queryset = queryset.annotate(**annotations) if annotations else queryset
        # Records are (pk, *fields); answers follow them in the flat tuple that a row is picked from.
        width = len(self.fields) + 1
        self.positions = (
            None if runs else [width + where if place == "answer" else where for place, where in places]
        )
        self.answer_positions = [n for n, (place, _where) in enumerate(places) if place == "answer"]
        self.datetime_positions = [n for n, (key, _header) in enumerate(columns) if key in _DATETIMES]
        self.vendor_positions = [n for n, (key, _header) in enumerate(columns) if key == "top_vendors"]

    def answers(self, record):
        if self.answers_by_key:
            texts = record[self.answers_index : self.answers_index + len(self.answer_keys)]
            return [None if text is None else json.loads(text) for text in texts]
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


def csv_field(value):
    """One CSV field of a plain value, as ``csv_line`` writes it."""
    if type(value) is str:
        return '"' + ("'" + value if value[:1] in _TRIGGER_SET else value).replace('"', '""') + '"'
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
                ('"' + ("'" + value if value[:1] in _TRIGGER_SET else value).replace('"', '""') + '"')
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
    if joined[:1] in _TRIGGER_SET:
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

    What ``_parse_datetime`` and ``isoformat`` make of them, but in the usual case
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
        return '"' + _parse_datetime(text, self.zone).isoformat(sep=" ", timespec="seconds") + '"'

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
    plan = _RowPlan(queryset, columns, csv=True)
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
