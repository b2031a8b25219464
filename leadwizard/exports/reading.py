"""Reading the leads of an export in chunks: keyset pagination, and on PostgreSQL the next chunk read ahead.

Rows come in a stable order (by id, oldest first), read in chunks by keyset
pagination, so memory stays flat however many leads there are.
"""

import queue
import threading
from typing import NamedTuple

from django.db import connections

CHUNK_SIZE = 2000


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
