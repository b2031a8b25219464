"""Reading the leads of an export in chunks: keyset pagination, and on PostgreSQL chunks read ahead, two at once.

Rows come in a stable order (by id, oldest first), read in chunks by keyset
pagination, so memory stays flat however many leads there are.
"""

import collections
import itertools
import queue
import threading
from typing import NamedTuple

from django.db import connections

CHUNK_SIZE = 2000
# Whether iter_chunks_read_ahead may read chunks in parallel on connections of its own
# (iter_chunks_in_parallel); False keeps every export on the caller's connection.
PARALLEL_READS = True


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


def _compile(queryset):
    """``(compiler, sql, params)`` of ``queryset``, or None when it matches nothing or the ORM would post-process."""
    from django.core.exceptions import EmptyResultSet

    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    if compiler.has_extra_select:  # the ORM would cut the rows short
        return None
    return compiler, sql, tuple(params)


def _compile_chunk_queries(queryset, fields, chunk_size):
    """``_ChunkQueries`` for ``iter_chunks``, or None for a query that matches nothing or needs more care."""

    base = queryset.order_by("pk").values_list("pk", *fields)
    compiled = []
    for part in (base[:chunk_size], base.filter(pk__gt=_KEYSET_MARK)[:chunk_size]):
        found = _compile(part)
        if found is None:
            return None
        compiled.append(found)
    (compiler, first_sql, first_params), (_compiler, after_sql, after_params) = compiled
    if after_params.count(_KEYSET_MARK) != 1:
        return None
    mark = after_params.index(_KEYSET_MARK)
    return _ChunkQueries(compiler, first_sql, first_params, after_sql, after_params, mark)


def undecoded_text(cursor):
    """Make ``cursor`` (Django's) give text columns as the server's UTF-8 bytes, not decoded to str (psycopg2)."""
    from psycopg2.extensions import BYTES, register_type

    register_type(BYTES, cursor.cursor)


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


class _RangeQueries(NamedTuple):
    """The queries of ``iter_chunks_in_parallel``, compiled once: chunk ends, and chunks between two ids."""

    compiler: object  # applies the ORM's converters to the rows, as values_list would
    first_end: tuple  # (sql, params): the id of the first chunk's last lead
    next_end: tuple  # the same after the id at params[next_end_mark]
    next_end_mark: tuple
    chunk: tuple  # the chunk of leads with ids in (params at the low marks, params at the high marks]
    chunk_marks: tuple  # (low, high), each the places of that bound among the params
    rest: tuple  # the last chunk: every lead after the params at rest_mark
    rest_mark: tuple

    @staticmethod
    def _with(query, marks, values):
        params = list(query[1])
        for places, value in zip(marks, values, strict=True):
            for place in places:
                params[place] = value
        return query[0], params

    def end_after(self, last):
        """The query of the id of the last lead of the chunk after ``last`` (None: the first chunk)."""
        return self.first_end if last is None else self._with(self.next_end, [self.next_end_mark], [last])

    def between(self, low, high):
        """The query of the chunk of leads after ``low`` (None: from the first) up to ``high`` (None: the rest)."""
        low = _BELOW_EVERY_ID if low is None else low
        if high is None:
            return self._with(self.rest, [self.rest_mark], [low])
        return self._with(self.chunk, self.chunk_marks, [low, high])


# A second mark for the upper end of a chunk, and an id below every lead's.
_KEYSET_MARK_HIGH = _KEYSET_MARK - 1
_BELOW_EVERY_ID = -(2**63)


def _compile_range_queries(queryset, fields, chunk_size, within=None, wrap=None):
    """``_RangeQueries`` for ``iter_chunks_in_parallel``, or None for a query that needs more care.

    ``within(queryset, low, high)``: the queryset of the chunk's rows, which may
    also bound a relation (by default the ids, ``high`` None for no upper bound).
    ``wrap(sql)``: the SQL of a chunk's query around the query of its rows (no
    parameters of its own), such as an aggregate of them.
    """

    def ids_within(queryset, low, high):
        queryset = queryset.filter(pk__gt=low)
        return queryset if high is None else queryset.filter(pk__lte=high)

    within = within or ids_within
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    parts = {
        "first_end": ids[chunk_size - 1 : chunk_size],
        "next_end": ids.filter(pk__gt=_KEYSET_MARK)[chunk_size - 1 : chunk_size],
        "chunk": within(queryset, _KEYSET_MARK, _KEYSET_MARK_HIGH).order_by("pk").values_list("pk", *fields),
        "rest": within(queryset, _KEYSET_MARK, None).order_by("pk").values_list("pk", *fields),
    }
    compiled = {}
    for name, part in parts.items():
        found = _compile(part)
        if found is None:
            return None
        compiler, sql, params = found
        if wrap is not None and name in ("chunk", "rest"):
            sql = wrap(sql)
        compiled[name] = (compiler, (sql, params))
    marks = {}
    for name, mark_values in (
        ("next_end", (_KEYSET_MARK,)),
        ("chunk", (_KEYSET_MARK, _KEYSET_MARK_HIGH)),
        ("rest", (_KEYSET_MARK,)),
    ):
        params = compiled[name][1][1]
        if any(value not in params for value in mark_values):
            return None
        marks[name] = tuple(
            tuple(place for place, param in enumerate(params) if param == value) for value in mark_values
        )
    return _RangeQueries(
        compiler=compiled["chunk"][0],
        first_end=compiled["first_end"][1],
        next_end=compiled["next_end"][1],
        next_end_mark=marks["next_end"][0],
        chunk=compiled["chunk"][1],
        chunk_marks=marks["chunk"],
        rest=compiled["rest"][1],
        rest_mark=marks["rest"][0],
    )


# Chunks read at once by iter_chunks_in_parallel: one per core of a small database server.
READERS = 2


class Chunk(list):
    """A chunk of rows, with what ``prefetch`` gave for its ids, read by the thread that read the chunk."""

    prefetched = None


def iter_chunks_in_parallel(
    queryset,
    fields,
    chunk_size=CHUNK_SIZE,
    readers=READERS,
    prefetch=None,
    text_as_bytes=False,
    within=None,
    wrap=None,
):
    """``iter_chunks`` on PostgreSQL, with ``readers`` chunks computed at once by as many database backends.

    A thread finds where each chunk ends (the id of its last lead: a short
    query on the ids alone), and threads with connections of their own read the
    chunks between two ids, each in its own backend, while the caller turns the
    chunk before into text: the database's share of the work (the JSON picked
    apart, the CSV fields written) runs on every core, and the caller's thread,
    which does the formatting, never waits for a query. ``prefetch(ids,
    connection)``, when given, is called by the reader of each chunk with the
    chunk's ids and its connection; the chunk (a ``Chunk``) carries the result as
    ``prefetched``. At most ``readers`` chunks wait, so memory stays flat. Rows
    are those of ``iter_chunks``; leads added while the export runs come in the
    last chunk. Only for autocommit: the connections of their own could not see
    what the caller's open transaction changed (``iter_chunks_read_ahead`` decides).
    ``text_as_bytes``: text columns come as UTF-8 bytes (``undecoded_text``).
    ``within`` and ``wrap``: see ``_compile_range_queries``; with ``wrap`` the
    chunks are the wrapping query's rows as fetched, without the ORM's converters,
    and a query that needs more care gives None instead of its chunks.
    """
    from concurrent.futures import ThreadPoolExecutor

    queries = _compile_range_queries(queryset, fields, chunk_size, within, wrap)
    if queries is None and wrap is not None:
        yield None
        return
    if queries is None:
        yield from iter_chunks(queryset, fields, chunk_size)
        return
    readers_free = queue.Queue()
    opened = []
    # One connection per reader, and one for the chunks' ends, each used by a thread of its own.
    for _number in range(readers + 1):
        reader = connections.create_connection(queryset.db)
        reader.inc_thread_sharing()
        opened.append(reader)
        readers_free.put(reader)
    ends_connection = readers_free.get()

    def read(sql, params):
        reader = readers_free.get()
        try:
            with reader.cursor() as cursor:
                if text_as_bytes:
                    undecoded_text(cursor)
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            prefetched = prefetch([row[0] for row in rows], reader) if prefetch and rows else None
            return rows, prefetched
        finally:
            readers_free.put(reader)

    def ends():
        """(after, up to) ids of each chunk in turn; None for "from the first" and "to the last"."""
        last = None
        while True:
            # A cursor per query, not held across a yield: the caller may stop at any one.
            with ends_connection.cursor() as cursor:
                cursor.execute(*queries.end_after(last))
                row = cursor.fetchone()
            end = None if row is None else row[0]
            yield last, end
            if end is None:
                return
            last = end

    pool = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="lead-export-reader")
    pending = collections.deque()
    bounds = read_ahead(ends())
    try:
        while True:
            # Every reader busy while the caller works on the chunk handed over.
            for low, high in itertools.islice(bounds, readers - len(pending)):
                pending.append(pool.submit(read, *queries.between(low, high)))
            if not pending:
                return
            rows, prefetched = pending.popleft().result()
            if rows and wrap is not None:
                yield rows
            elif rows:
                chunk = Chunk(queries.compiler.results_iter(results=[rows]))
                chunk.prefetched = prefetched
                yield chunk
    finally:
        bounds.close()
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        for reader in opened:
            reader.close()
            reader.dec_thread_sharing()


def reads_in_parallel(queryset):
    """Whether ``iter_chunks_read_ahead`` reads the chunks of ``queryset`` with ``iter_chunks_in_parallel``."""
    connection = connections[queryset.db]
    return connection.vendor == "postgresql" and not connection.in_atomic_block and PARALLEL_READS


def iter_chunks_read_ahead(
    queryset, fields, chunk_size=CHUNK_SIZE, prefetch=None, text_as_bytes=False, within=None
):
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

    Outside a transaction (autocommit, as in a request or the background task)
    the chunks are read by ``iter_chunks_in_parallel`` instead, two at once on
    connections of their own, so that the database's share runs on two cores;
    ``prefetch`` is passed on to it (elsewhere chunks carry nothing prefetched).
    ``text_as_bytes``: on PostgreSQL, text columns come as UTF-8 bytes
    (``undecoded_text``), except where this is ``iter_chunks``. ``within`` is
    passed on to ``iter_chunks_in_parallel``.
    """
    connection = connections[queryset.db]
    queries = None
    if reads_in_parallel(queryset):
        yield from iter_chunks_in_parallel(
            queryset, fields, chunk_size, prefetch=prefetch, text_as_bytes=text_as_bytes, within=within
        )
        return
    if connection.vendor == "postgresql":
        queries = _compile_chunk_queries(queryset, fields, chunk_size)
    if queries is None:
        yield from iter_chunks(queryset, fields, chunk_size)
        return
    with connection.cursor() as first, connection.cursor() as second:
        if text_as_bytes:
            undecoded_text(first)
            undecoded_text(second)
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
