"""Querysets built and compiled by the ORM once per process, then run again with other values.

An article's routing query and the query of its links ("Lesen Sie weiter",
"Lesen Sie auch") are the same statement on every request but for a few
values. Building the queryset and compiling it to SQL took more time than the
database took to answer it: for the links about 2.1 ms of the 3.8 ms in all.
``PreparedQuery`` builds the queryset once with stand-in values, finds them
among the compiled parameters, and on each run only swaps the reader's values
in and executes; rows become objects as Django's own iteration makes them
(``select_related``, annotations), because the run goes through the queryset
with a compiler that hands out the SQL it already has.

The memo holds SQL text, not data: every run asks the database. Values given as
a collection are compiled once per length. Where the stand-ins cannot be told
apart in the parameters (a backend that changes them in a way not foreseen
here), the queryset is run as usual, every time.

On PostgreSQL the statement is also prepared on the server, once per connection
(``PREPARE``), and run with ``EXECUTE``: the database then stops planning it on
every request, which for the link query took longer than running it. A
statement the server refuses to prepare is run as plain SQL, as are all of them
where ``ARTICLES_SERVER_PREPARED_QUERIES`` is False or the database is reached
through a pooler in transaction mode (Django's ``DISABLE_SERVER_SIDE_CURSORS``),
whose connections cannot keep a prepared statement.
"""

import copy
import itertools
import logging
import re
import uuid
import weakref

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections

from .conf import app_settings

logger = logging.getLogger(__name__)

# Names of server-side statements: unique within a process, whose connections are its own.
_statement_numbers = itertools.count(1)
# The statements each DB-API connection has prepared. A new connection (Django reconnects after
# CONN_MAX_AGE or an error) starts with none; its entry goes with it.
_prepared_on = weakref.WeakKeyDictionary()


class PreparedQuery:
    """``build(*values)`` -> queryset, compiled once per database and shape of the values.

    ``stand_ins`` gives one value per argument of ``build``, of the argument's type,
    that no real value will equal: an int, a str (letters only), a ``uuid.UUID``, or
    for a collection argument a callable that returns ``n`` distinct stand-ins.

    ``build`` must pass its values to the ORM as given: a value it derives (``depth + 1``,
    what ``child_of`` does with a page's depth) would be compiled as a constant. So the
    routing query passes the child depth itself rather than calling ``child_of``.
    """

    def __init__(self, build, stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self._compiled = {}

    def __call__(self, *values, using="default"):
        """The objects of ``build(*values)``, as ``list(build(*values))`` gives them."""
        shape = tuple(_length(value) for value in values)
        key = (using, shape)
        if key not in self._compiled:
            self._compiled[key] = self._compile(using, shape)
        compiled = self._compiled[key]
        if compiled is None:
            return list(self.build(*values).using(using))
        queryset, compiler, sql, stand_in_params, slots, statement = compiled
        flat = _flatten(values)
        params = tuple(
            param if slot is None else _substitute(slot, flat[slot[0]], compiler.connection)
            for param, slot in zip(stand_in_params, slots, strict=True)
        )
        connection = connections[using]  # connections are per thread
        if statement is not None and _may_prepare(connection) and statement.ready_on(connection):
            sql = statement.execute_sql
        run = copy.copy(compiler)
        run.connection = connection
        run.as_sql = lambda *args, **kwargs: (sql, params)
        replayed = queryset._chain()
        replayed.query.get_compiler = lambda *args, **kwargs: run
        return list(replayed)

    def _compile(self, using, shape):
        stand_ins = [
            stand_in(length) if length is not None else stand_in
            for stand_in, length in zip(self.stand_ins, shape, strict=True)
        ]
        queryset = self.build(*stand_ins).using(using)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):  # no SQL to keep: the ORM answers these itself
            return None
        flat = _flatten(stand_ins)
        slots = [_slot(param, flat) for param in params]
        found = {slot[0] for slot in slots if slot is not None}
        if found != set(range(len(flat))) or any(_literal(value) in sql for value in flat):
            return None  # a stand-in not among the parameters, or written into the SQL
        statement = ServerStatement(sql, len(params)) if compiler.connection.vendor == "postgresql" else None
        return queryset, compiler, sql, tuple(params), slots, statement


class ServerStatement:
    """One compiled query as a statement prepared on a PostgreSQL server, per connection."""

    def __init__(self, sql, param_count):
        self.name = f"articles_prepared_{next(_statement_numbers)}"
        self.prepare_sql = f"PREPARE {self.name} AS {_numbered_parameters(sql)}"
        arguments = f"({', '.join(['%s'] * param_count)})" if param_count else ""
        self.execute_sql = f"EXECUTE {self.name}{arguments}"
        self.refused = False

    def ready_on(self, connection):
        """Whether ``connection`` has the statement prepared; prepares it there the first time."""
        if self.refused:
            return False
        connection.ensure_connection()
        prepared = _prepared_on.setdefault(connection.connection, set())
        if self.name in prepared:
            return True
        try:
            self._prepare(connection.connection)
        except connection.Database.Error as error:  # the driver's own: its connection is used directly
            # A statement the server cannot prepare (a parameter of unknown type) never will be; a
            # lost connection is tried again with the next one.
            self.refused = isinstance(error, connection.Database.ProgrammingError)
            logger.warning("PostgreSQL did not prepare a query; it runs as plain SQL.", exc_info=True)
            return False
        prepared.add(self.name)
        return True

    def _prepare(self, raw_connection):
        """``PREPARE`` on the DB-API connection, as Django sets a new connection up: not a query of the
        request (it is not logged or counted), but once per session.

        Inside a transaction it runs in a savepoint, so that a refusal does not break the
        reader's transaction; the prepared statement belongs to the session and outlives
        any rollback.
        """
        with raw_connection.cursor() as cursor:
            if raw_connection.autocommit:
                cursor.execute(self.prepare_sql)
                return
            cursor.execute("SAVEPOINT articles_prepare")
            try:
                cursor.execute(self.prepare_sql)
            except Exception:
                cursor.execute("ROLLBACK TO SAVEPOINT articles_prepare")
                raise
            finally:
                cursor.execute("RELEASE SAVEPOINT articles_prepare")


def _may_prepare(connection):
    """Read on every run: the setting and the database's options may change (tests, a settings reload)."""
    return app_settings.SERVER_PREPARED_QUERIES and not connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    )


_PLACEHOLDER = re.compile(r"%(%|s)")


def _numbered_parameters(sql):
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2, ...``; ``%%`` back to ``%``."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda match: "%" if match.group(1) == "%" else f"${next(numbers)}", sql)


def _length(value):
    return len(value) if isinstance(value, list | tuple | set | frozenset) else None


def _flatten(values):
    flat = []
    for value in values:
        flat.extend(value) if isinstance(value, list | tuple | set | frozenset) else flat.append(value)
    return flat


def _literal(value):
    return value.hex if isinstance(value, uuid.UUID) else str(value)


def _slot(param, stand_ins):
    """(index of the stand-in, how it appears) for a compiled parameter, or None for a constant."""
    for index, stand_in in enumerate(stand_ins):
        if isinstance(stand_in, uuid.UUID):
            if param == stand_in:
                return index, "value"
            if param in (stand_in.hex, str(stand_in)):
                return index, "hex" if param == stand_in.hex else "str"
        elif type(param) is type(stand_in) and param == stand_in:
            return index, "value"
        elif isinstance(stand_in, str) and isinstance(param, str) and stand_in in param:
            return index, ("pattern", param.replace(stand_in, "\x00"))
    return None


def _substitute(slot, value, connection):
    kind = slot[1]
    if kind == "value":
        return value
    if kind == "hex":
        return value.hex
    if kind == "str":
        return str(value)
    # A LIKE pattern (startswith and the like): the value escaped as Django escapes it.
    return kind[1].replace("\x00", connection.ops.prep_for_like_query(value))
