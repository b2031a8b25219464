"""Database expressions of the export's fast path: values picked out of JSON and CSV fields written in SQL.

Only SQLite and PostgreSQL are asked for JSON values (``database_json``), and
only PostgreSQL with a UTF-8 database writes CSV fields (``writes_csv_in_database``);
everything else reads plain values and formats them in Python, with the same result.
"""

import json

from django.contrib.auth import get_user_model
from django.db.models import F, Func, TextField

from .formulas import EMAIL, FORMULA_TRIGGERS, NUMBER, NUMBER_STARTS, PHONE, WORD_JOINER

# SQLite picks out the first MAX_VENDORS names; a lead with more matches is read in full.
MAX_VENDORS = 10


def database_json(connection):
    """True when the export can pick values out of the JSON columns in SQL (SQLite and PostgreSQL)."""
    return connection.vendor in ("sqlite", "postgresql")


class VendorScores(Func):
    """The ``vendor`` names and ``score``\\ s in a ``top_matches`` array as JSON text, picked out by the database.

    Decoding every lead's matches, with their reasons, in Python would cost more
    than all the rest of a row. PostgreSQL gives ``[[name, score], ...]``;
    SQLite a flat ``[name, score, name, score, ...]`` of ``MAX_VENDORS + 1``
    pairs, padded with nulls: a name in the last one means there are more.
    """

    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        paths = ", ".join(
            f"'$[{index}].{name}'" for index in range(MAX_VENDORS + 1) for name in ("vendor", "score")
        )
        return self.as_sql(
            compiler, connection, template=f"json_extract(%(expressions)s, {paths})", **extra_context
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "(SELECT COALESCE(jsonb_agg(jsonb_build_array(match -> 'vendor', match -> 'score') "
            "ORDER BY number), '[]')::text FROM jsonb_array_elements(CASE WHEN jsonb_typeof(%(expressions)s) "
            "= 'array' THEN %(expressions)s ELSE '[]' END) WITH ORDINALITY AS matches(match, number) "
            "WHERE jsonb_typeof(match) = 'object' AND match ? 'vendor')"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


# Between a lead's vendor names and its scores in VendorLists' text.
LISTS_SEPARATOR = "\x1e"
# Each match that is an object with a "vendor" (strict: no array unwrapping, a non-object is left out).
_MATCHES_WITH_VENDOR = "strict $[*] ? (exists(@.vendor))"


class VendorLists(Func):
    """The vendor names and the scores of a lead's ``top_matches`` as two JSON arrays, written by PostgreSQL.

    ``'["Alpha CRM", "Beta CRM"]\\x1e[87.5, 64]'``: the ``vendor`` of each match
    that is an object with one, and the ``score`` of each of those, in order.
    Two JSON path queries cost PostgreSQL a quarter of what a set-returning
    subquery over the matches (``VendorScores``) costs, and the text is cut
    apart with str methods. A match without a score ends the scores' array
    early (the query's error is silenced), so the arrays pair up exactly when
    they are as long as each other: ``RowPlan.vendor_column`` checks that, and
    that every name is a string without escapes and every score one JSON
    value, and reads ``VendorScores`` for any lead where they are not.
    """

    arity = 1
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        # Only the compiled column and constant SQL go into the text.
        sql = (
            f"(jsonb_path_query_array({column}, %s, '{{}}', true)::text || %s || "
            f"jsonb_path_query_array({column}, %s, '{{}}', true)::text)"
        )
        names, scores = _MATCHES_WITH_VENDOR + ".vendor", _MATCHES_WITH_VENDOR + ".score"
        return sql, (*params, names, LISTS_SEPARATOR, *params, scores)


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
_NUMBER_START_CODES = ", ".join(str(ord(start)) for start in sorted(NUMBER_STARTS))


class CsvFields(Func):
    """Text, yes/no and whole-number columns as CSV fields joined by the separator, written by PostgreSQL.

    The fields ``CsvDialect.field`` makes of the values: text quoted, inner
    quotes doubled, and guarded as ``formulas.neutralise`` does (its patterns,
    applied with ``~``); yes/no in words; numbers bare; NULL empty. ``kinds``:
    per path "text", "nullable text", "int" or ``("bool", (yes, no))`` with the
    words (hashable: Django hashes an expression's arguments). ``dialect``: a ``csv.CsvDialect``. Only for a UTF-8 database
    (``writes_csv_in_database``).
    """

    output_field = TextField()

    def __init__(self, paths, kinds, dialect):
        super().__init__(*map(F, paths))
        self.kinds = list(kinds)
        self.dialect = dialect

    def as_postgresql(self, compiler, connection, **extra_context):
        parts, params = [], []
        expressions = self.get_source_expressions()
        for number, (kind, expression) in enumerate(zip(self.kinds, expressions, strict=True)):
            column, column_params = compiler.compile(expression)
            if column_params:  # a plain column has none; anything else is not written here
                raise ValueError("CsvFields reads plain columns only")
            sep = self.dialect.separator if number else ""
            if kind in ("text", "nullable text"):
                guard = (
                    f"CASE WHEN ascii({column}) IN ({_TRIGGER_CODES})"
                    f" AND NOT ({column} ~ %s OR {column} ~ %s) THEN %s"
                    # The pattern only where the first character can start a number: a regular
                    # expression per text field was a third of the database's time.
                    f" WHEN ascii({column}) IN ({_NUMBER_START_CODES}) AND {column} ~ %s THEN %s ELSE %s END"
                    f" || replace({column}, '\"', '\"\"') || '\"'"
                )
                guard_params = [
                    f"^(?:{PHONE})$",
                    f"^(?:{EMAIL})$",
                    sep + "\"'",
                    f"^(?:{NUMBER})$",
                    sep + '"' + WORD_JOINER,
                    sep + '"',
                ]
                if kind == "text":
                    parts.append(f"({guard})")
                    params += guard_params
                else:
                    parts.append(f"(CASE WHEN {column} IS NULL THEN %s ELSE {guard} END)")
                    params += [sep, *guard_params]
            elif kind == "int":
                parts.append(f"(%s || COALESCE(({column})::text, ''))")
                params.append(sep)
            else:  # ("bool", words)
                _bool, (yes, no) = kind
                parts.append(f"(CASE WHEN {column} THEN %s WHEN NOT {column} THEN %s ELSE %s END)")
                params += [sep + self.dialect.field(yes), sep + self.dialect.field(no), sep]
        return " || ".join(parts), tuple(params)


def simple_kind(model, path, small_integers=False):
    """The ``CsvFields`` kind of a field path's values ("text", "nullable text", "int"), or None.

    Yes/no columns are written in words; ``RowPlan`` makes their kind.
    ``small_integers``: "int" only for fields whose values are below 10**15 (not
    the 64-bit ones), which a workbook writes digit for digit.
    """
    *relations, name = path.split("__")
    nullable = False
    for relation in relations:
        field = model._meta.get_field(relation)
        nullable = nullable or field.null  # no related row: NULL
        model = field.related_model
    field = model._meta.get_field(name)
    internal_type = field.get_internal_type()
    if field.choices:  # written as their labels
        return None
    if internal_type in _TEXT_TYPES:
        return "nullable text" if nullable or field.null else "text"
    if internal_type in _INTEGER_TYPES:
        if small_integers and internal_type in ("BigIntegerField", "PositiveBigIntegerField"):
            return None
        return "int"
    return None


def writes_csv_in_database(connection):
    """True when ``CsvFields`` may be used: PostgreSQL with a UTF-8 database."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return connection.connection.info.parameter_status("server_encoding") == "UTF8"


def username_field():
    return "assignee__" + get_user_model().USERNAME_FIELD
