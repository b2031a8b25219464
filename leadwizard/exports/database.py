"""Database expressions of the export's fast path: values picked out of JSON and CSV fields written in SQL.

Only SQLite and PostgreSQL are asked for JSON values (``database_json``), and
only PostgreSQL with a UTF-8 database writes CSV fields (``writes_csv_in_database``);
everything else reads plain values and formats them in Python, with the same result.
"""

import json

from django.contrib.auth import get_user_model
from django.db.models import F, Func, TextField

from .formulas import FORMULA_TRIGGERS

# SQLite picks out the first MAX_VENDORS names; a lead with more matches is read in full.
MAX_VENDORS = 10


def database_json(connection):
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
    ``_CSV_SQL`` per path. Only for a UTF-8 database (``writes_csv_in_database``).
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


def simple_kind(model, path):
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


def writes_csv_in_database(connection):
    """True when ``CsvFields`` may be used: PostgreSQL with a UTF-8 database."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return connection.connection.info.parameter_status("server_encoding") == "UTF8"


def username_field():
    return "assignee__" + get_user_model().USERNAME_FIELD
