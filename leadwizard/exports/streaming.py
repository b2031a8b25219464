"""The CSV export as a stream of bytes: each lead's fields copied where they were prepared, written where not.

``iter_csv`` is what the admin's download streams, the background task writes to
a file and ``export_leads`` writes: the header at once, then a block of lines
per chunk of leads. Where leads' fields are prepared (``prepared``, PostgreSQL)
their lines are copied, and the rest written by ``csv.csv_lines``; the bytes are
the same either way.
"""

from django.utils import timezone

from .columns import columns_for
from .csv import BOM, LocalTimeTexts, csv_block, get_dialect
from .prepared import PreparedCopy
from .reading import CHUNK_SIZE, iter_chunks_in_parallel, iter_chunks_read_ahead, reads_in_parallel
from .rows import RowPlan, notes_prefetch

# Leads per query where PostgreSQL joins a chunk's copied lines into one value: twice the
# usual, as a query's planning and round trip weigh more than its lines, but no more than
# PostgreSQL sorts in its default work_mem (4 MB: about 4,500 lines; 10,000 went to disk
# and took more of its time than it saved).
JOINED_CHUNK_SIZE = 4_000


def iter_csv(queryset, columns=None, chunk_size=None, progress=None, dialect="excel_de", language=None):
    """The leads of ``queryset`` as CSV in ``dialect`` (``CSV_DIALECTS``), as a generator of bytes.

    Starts with a UTF-8 byte order mark and the header row, yielded at once
    (before any lead is read); then one block of lines per chunk of
    ``chunk_size`` leads (by default ``reading.CHUNK_SIZE``, or ``JOINED_CHUNK_SIZE``
    where PostgreSQL joins each chunk's copied lines). Headers and values in ``language`` (by default
    ``LANGUAGE_CODE``); CRLF line ends; text values are quoted, whole numbers
    are not. Memory stays constant.

    The lines are those of ``CsvDialect.line`` for the rows of ``lead_rows``,
    made a column at a time (``csv_block``); on PostgreSQL the database writes
    part of the fields and reads the next chunk meanwhile (``iter_chunks_read_ahead``).
    """
    csv_dialect = get_dialect(dialect)
    if columns is None:
        columns = columns_for(queryset, language)
    yield (BOM + csv_dialect.line([header for _key, header in columns])).encode()
    zone = timezone.get_default_timezone()
    dates = LocalTimeTexts(zone)
    copy = PreparedCopy.for_export(queryset, columns, language, csv_dialect)
    if isinstance(copy, PreparedCopy):
        yield from _iter_copied(copy, chunk_size, progress, dates, zone)
        return
    chunk_size = chunk_size or CHUNK_SIZE
    plan = RowPlan(queryset, columns, csv=True, language=language, dialect=csv_dialect)
    done = 0
    chunks = iter_chunks_read_ahead(
        plan.queryset, plan.fields, chunk_size, prefetch=notes_prefetch(zone) if plan.has_notes else None
    )
    try:
        for records in chunks:
            yield csv_block(plan, records, dates, csv_dialect, zone).encode()
            done += len(records)
            if progress is not None:
                progress(done)
    finally:
        chunks.close()  # a download broken off stops the reading at once
    if copy is not None:  # nothing prepared in this language yet
        copy.prepare_later()


def _iter_copied(copy, chunk_size, progress, dates, zone):
    """``iter_csv``'s blocks where leads' fields are prepared: copied, and written only for the rest."""
    if copy.copies_as_stored and reads_in_parallel(copy.queryset):
        blocks = _iter_joined(copy, chunk_size or JOINED_CHUNK_SIZE, progress, dates, zone)
        first = next(blocks, None)
        if first is not None:  # None: the query needs the ORM's care, read a lead at a time
            yield first
            yield from blocks
            copy.prepare_later()
            return
    chunk_size = chunk_size or CHUNK_SIZE
    done = 0
    chunks = iter_chunks_read_ahead(
        copy.queryset,
        copy.fields,
        chunk_size,
        prefetch=notes_prefetch(zone) if copy.has_notes else None,
        text_as_bytes=True,  # copied as they are: decoding and encoding again would cost more than the rest
        within=copy.within,
    )
    try:
        for records in chunks:
            yield copy.block(records, dates, zone)
            done += len(records)
            if progress is not None:
                progress(done)
    finally:
        chunks.close()
    copy.prepare_later()


def _iter_joined(copy, chunk_size, progress, dates, zone):
    """The blocks of chunks that PostgreSQL joined itself (``PreparedCopy.wrap``); first None if it cannot."""
    done = 0
    chunks = iter_chunks_in_parallel(
        copy.queryset, copy.line_fields, chunk_size, text_as_bytes=True, within=copy.within, wrap=copy.wrap
    )
    try:
        for rows in chunks:
            if rows is None:
                yield None
                return
            ((joined, count),) = rows
            if joined is not None:
                yield copy.joined_block(joined, dates, zone)
            done += count
            if progress is not None:
                progress(done)
    finally:
        chunks.close()
