"""Lead exports as XLSX, written by our own streaming writer: the sheet's XML made a column at a time.

openpyxl's write-only mode makes an object and an XML element per cell, about
5-10 µs each: most of an export's time. This writer makes the same workbook
(the same cells, types, number formats, widths, frozen header and autofilter;
``xlsx.write_openpyxl`` stays the reference, ``LEADWIZARD_EXPORT_XLSX_WRITER``
chooses) from the chunks that ``iter_chunks_read_ahead`` reads, a column at
once with str methods over all its values, as ``csv.csv_block`` does for CSV:

* text is an inline string (``t="inlineStr"``), never a formula, whatever it
  starts with; phone numbers, postcodes and formula-like text also get the
  text number format ("@") as openpyxl's writer gives them;
* numbers and yes/no are typed cells, written as openpyxl writes them;
* dates are numbers with a date format, in the site's time zone, worked out
  per hour as ``csv._LocalTimeTexts`` does;
* cells carry no reference (``r``): each row's cells are all there, empty ones
  as ``<c/>``, which Excel, LibreOffice and openpyxl read in order.

On PostgreSQL (UTF-8) the database writes the cells of the runs of text and
whole-number columns itself (``XlsxCells``), in the backends that read the
chunks, and the values for the column widths are read on their own.

The sheet goes into the zip as it is made, compressed by a thread of its own
(zlib works outside the GIL), so memory stays flat; the workbook part, with the
autofilter's range, is written after the rows.
"""

import json
import queue
import re
import threading
import zipfile
from datetime import datetime, timedelta
from itertools import chain

from django.db.models import F, Func, TextField
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl.cell.cell import ERROR_CODES as OPENPYXL_ERROR_CODES
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL_CHARACTERS
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from . import xlsx as layout
from .columns import columns_for, is_text_column
from .csv import _answer_texts
from .formulas import FORMULA_TRIGGERS, TRIGGER_SET
from .reading import CHUNK_SIZE, iter_chunks, iter_chunks_read_ahead
from .rows import (
    RowPlan,
    ValueMemo,
    chunk_by_field,
    chunk_notes,
    joined,
    notes_by_lead,
    notes_prefetch,
    parse_datetime,
)

# A cell holds at most this many characters (characters illegal in XML 1.0 are dropped, as openpyxl does).
MAX_TEXT = 32767
# What openpyxl reads as error values; written as text cells with the text format, as openpyxl's writer does.
ERROR_CODES = frozenset(OPENPYXL_ERROR_CODES)
# Excel's day 0 (the 1900 date system), as openpyxl counts.
EPOCH = datetime(1899, 12, 30)

# Cell styles (cellXfs in styles.xml): plain, bold header, text ("@"), date and time, date.
PLAIN, HEADER, TEXT, DATETIME, DATE = range(5)
_SEPARATOR = "\x00"  # never in a cell: dropped with the other control characters
_ILLEGAL_BUT_SEPARATOR = re.compile(r"[\001-\010]|[\013-\014]|[\016-\037]")

_TEXT_CELL = '<c t="inlineStr"><is><t xml:space="preserve">'
_TEXT_CELL_AS_TEXT = f'<c t="inlineStr" s="{TEXT}"><is><t xml:space="preserve">'
_TEXT_END = "</t></is></c>"
_EMPTY = "<c/>"  # None: no value
_EMPTY_TEXT = '<c t="inlineStr"/>'  # "": an empty text, as openpyxl writes it
_EMPTY_TEXT_AS_TEXT = f'<c t="inlineStr" s="{TEXT}"/>'
# What _escape drops (PostgreSQL text never holds NUL), as a pattern of PostgreSQL's, and the codes of the characters of a formula.
_ILLEGAL_PATTERN = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"
_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)


class XlsxCells(Func):
    """A run of text and whole-number columns as their cells, one after another, written by PostgreSQL.

    The cells ``value_cells`` makes of the values, with str functions of the
    database: text cut to ``MAX_TEXT`` characters, the characters XML 1.0 forbids
    dropped, markup and carriage returns escaped; the text format
    for ``as_text`` columns and for text that starts like a formula or reads as
    an error value; ``<c/>`` for NULL. Cells of a row have no separator, so the
    run is one column of the chunk: moving this work from the process (which
    formats the chunks one after another) to the backends that read them (two
    at once) was a third of an export's time. ``kinds``: per path ``(kind,
    as_text)``, kind "text", "nullable text" or "int" (of fields below 10**15).
    Only for a UTF-8 database (``RowPlan`` decides).
    """

    output_field = TextField()

    def __init__(self, paths, kinds):
        super().__init__(*map(F, paths))
        self.kinds = list(kinds)

    def as_postgresql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for (kind, as_text), expression in zip(self.kinds, self.get_source_expressions(), strict=True):
            column, column_params = compiler.compile(expression)
            if column_params:  # a plain column has none; anything else is not written here
                raise ValueError("XlsxCells reads plain columns only")
            if kind == "int":
                start, end = (_TEXT_CELL_AS_TEXT, _TEXT_END) if as_text else ('<c t="n"><v>', "</v></c>")
                parts.append(f"(CASE WHEN {column} IS NULL THEN %s ELSE %s || ({column})::text || %s END)")
                params += [_EMPTY, start, end]
                continue
            if as_text:
                start, start_params = "%s", [_TEXT_CELL_AS_TEXT]
            else:
                codes = ", ".join(["%s"] * len(ERROR_CODES))
                start = f"CASE WHEN ascii({column}) IN ({_TRIGGER_CODES}) OR {column} IN ({codes}) THEN %s ELSE %s END"
                start_params = [*sorted(ERROR_CODES), _TEXT_CELL_AS_TEXT, _TEXT_CELL]
            # A regular expression only where it has something to drop: translate() on every value
            # cost the database three times the rest of the cell.
            text = f"left({column}, {MAX_TEXT})"
            escaped = (
                f"replace(replace(replace(replace(CASE WHEN {column} ~ %s THEN regexp_replace({text}, %s, '', 'g') "
                f"ELSE {text} END, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), %s, '&#13;')"
            )
            parts.append(
                f"(CASE WHEN {column} IS NULL THEN %s WHEN {column} = '' THEN %s "
                f"ELSE ({start}) || {escaped} || %s END)"
            )
            empty = _EMPTY_TEXT_AS_TEXT if as_text else _EMPTY_TEXT
            params += [_EMPTY, empty, *start_params, _ILLEGAL_PATTERN, _ILLEGAL_PATTERN, "\r", _TEXT_END]
        return " || ".join(parts), tuple(params)


def _number(value):
    """A number as openpyxl writes it (``safe_string``): 16 significant digits."""
    return "%.16g" % value  # noqa: UP031 - the format openpyxl uses


def _escape(joined):
    """XML text of cells joined by the separator: markup escaped, carriage returns kept, illegal characters dropped."""
    if _ILLEGAL_BUT_SEPARATOR.search(joined):
        joined = _SEPARATOR.join(ILLEGAL_CHARACTERS.sub("", text) for text in joined.split(_SEPARATOR))
    if "&" in joined:
        joined = joined.replace("&", "&amp;")
    if "<" in joined:
        joined = joined.replace("<", "&lt;")
    if ">" in joined:
        joined = joined.replace(">", "&gt;")
    if "\r" in joined:
        joined = joined.replace("\r", "&#13;")  # XML readers turn a bare CR into a line feed
    return joined


def text_cells(texts, as_text=False):
    """The cells of a column of str (at most ``MAX_TEXT`` characters): inline strings, "" empty.

    ``as_text``: every cell gets the text format; else only those that start like a
    formula or read as an error value, as openpyxl's writer did.
    """
    if not texts:
        return []
    if max(map(len, texts)) > MAX_TEXT:
        texts = [text[:MAX_TEXT] for text in texts]
    marked = ()
    if not as_text and (
        not TRIGGER_SET.isdisjoint({text[:1] for text in texts}) or not ERROR_CODES.isdisjoint(texts)
    ):
        marked = [index for index, text in enumerate(texts) if text[:1] in TRIGGER_SET or text in ERROR_CODES]
    start = _TEXT_CELL_AS_TEXT if as_text else _TEXT_CELL
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator itself (SQLite can store NUL)
        return [_text_cell(text, as_text) for text in texts]
    cells = (start + _escape(joined).replace(_SEPARATOR, _TEXT_END + _SEPARATOR + start) + _TEXT_END).split(
        _SEPARATOR
    )
    if "" in texts:
        empty = _EMPTY_TEXT_AS_TEXT if as_text else _EMPTY_TEXT
        for index, text in enumerate(texts):
            if not text:
                cells[index] = empty
    for index in marked:  # formula-like text: also the text format, as openpyxl's writer gave it
        cells[index] = _text_cell(texts[index], True)
    return cells


def _text_cell(text, as_text):
    if not text:
        return _EMPTY_TEXT_AS_TEXT if as_text else _EMPTY_TEXT
    return (_TEXT_CELL_AS_TEXT if as_text else _TEXT_CELL) + _escape(text) + _TEXT_END


def value_cell(value, as_text=False):
    """The cell of one plain value (None, str, bool, int, float or naive datetime), as openpyxl's writer makes it."""
    if value is None:
        return _EMPTY
    if type(value) is str:
        return _text_cell(value[:MAX_TEXT], as_text or value[:1] in TRIGGER_SET or value in ERROR_CODES)
    if as_text:
        return _text_cell(str(value)[:MAX_TEXT], True)
    if type(value) is bool:
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c t="n"><v>{_number(value)}</v></c>'
    if isinstance(value, datetime):
        return f'<c t="n" s="{DATETIME}"><v>{_number(to_excel(value.replace(tzinfo=None)))}</v></c>'
    return _text_cell(str(value)[:MAX_TEXT], False)


def value_cells(values, as_text=False):
    """The cells of a column of plain values: text and whole-number columns at once."""
    types = set(map(type, values))
    if types == {str}:
        return text_cells(values, as_text)
    if types == {str, type(None)}:
        cells = text_cells(["" if value is None else value for value in values], as_text)
        for index, value in enumerate(values):
            if value is None:
                cells[index] = _EMPTY
        return cells
    if types == {int} and not as_text and all(-(10**15) < value < 10**15 for value in values):
        return [f'<c t="n"><v>{value}</v></c>' for value in values]
    return [value_cell(value, as_text) for value in values]


class _LocalSerials:
    """Date cells of dates the database gave as UTC text: Excel's numbers of the local times.

    Per hour (UTC) the local day and hour are worked out once; when the offset is
    whole hours and the same all the hour, minutes, seconds and microseconds are
    taken from the text. Anything else goes through ``parse_datetime``.
    """

    MAX_HOURS = 4096

    def __init__(self, zone):
        self.zone = zone
        self.hours = {}  # hour (UTC) -> (days, seconds of the local hour) or False

    def cells(self, texts):
        start = f'<c t="n" s="{DATETIME}"><v>'
        hours = self.hours
        serials = []
        append = serials.append
        # In one loop, without a call per date: PostgreSQL's "YYYY-MM-DD HH:MM:SS[.ffffff]+00" of a
        # known hour, worked out as ``serial`` does; anything else goes to ``serial``.
        for text in texts:
            if text is None:
                append(None)
                continue
            hour = hours.get(text[:13]) if text[-3:] == "+00" else None
            if hour:
                length = len(text)
                if length == 22:
                    days, seconds = hour
                    append(days + (seconds + int(text[14:16]) * 60 + int(text[17:19])) / 86400)
                    continue
                fraction = text[20:-3]
                if text[19] == "." and fraction.isdigit() and length <= 29:
                    days, seconds = hour
                    micro = int(fraction.ljust(6, "0"))
                    append(
                        days + (seconds + int(text[14:16]) * 60 + int(text[17:19]) + micro / 10**6) / 86400
                    )
                    continue
            append(self.serial(text))
            hours = self.hours  # serial may have started the memo afresh
        return [_EMPTY if serial is None else start + "%.16g" % serial + "</v></c>" for serial in serials]  # noqa: UP031 - _number's format

    def serial(self, text):
        if text[-3:] == "+00" or len(text) in (19, 26):
            hour = self.hours.get(text[:13])
            if hour is None:
                if len(self.hours) >= self.MAX_HOURS:
                    self.hours = {}
                hour = self.hours[text[:13]] = self._hour(text[:13])
            # PostgreSQL leaves out trailing zeros of the microseconds: ".79098+00".
            fraction = (
                text[20 : len(text) - 3 if text[-3:] == "+00" else len(text)] if text[19:20] == "." else ""
            )
            if hour and text[19:20] in (".", "+", "") and (not fraction or fraction.isdigit()):
                days, seconds = hour
                micro = int(fraction.ljust(6, "0")) if fraction else 0
                return days + (seconds + int(text[14:16]) * 60 + int(text[17:19]) + micro / 10**6) / 86400
        return to_excel(parse_datetime(text, self.zone).replace(tzinfo=None))

    def _hour(self, key):
        try:
            start = datetime.fromisoformat(key + ":00:00+00:00") if key[10:11] == " " else None
        except ValueError:
            return False
        if start is None:
            return False
        first = start.astimezone(self.zone)
        last = (start + timedelta(seconds=3599, microseconds=999999)).astimezone(self.zone)
        offset = first.utcoffset()
        if offset != last.utcoffset() or offset % timedelta(hours=1) != timedelta(0):
            return False
        local = first.replace(tzinfo=None)
        days = (local - EPOCH).days
        if days <= 60:
            return False
        return days, local.hour * 3600


def chunk_cells(plan, records, state, zone):
    """The cells of a chunk of records of an XLSX ``plan``: a list of columns, each a list of cell XML."""
    by_field, answers, questionnaire_ids = chunk_by_field(plan, records)
    notes = None
    columns = []
    for number, (kind, where, extra) in enumerate(plan.csv_columns):
        as_text = state.text_columns[number]
        if kind == "csv":  # a run of cells written by the database (XlsxCells)
            columns.append(by_field[where])
            continue
        if kind == "answer_json":
            # The cell of each (questionnaire, answer) is made once, by value_cells, and then looked up:
            # a question's answers are a handful of options and their combinations.
            texts = by_field[where]
            memo = state.memos.setdefault(number, ValueMemo())
            if extra is None:  # as stored
                columns.append(
                    memo.column(
                        texts,
                        lambda missing, as_text=as_text: value_cells(
                            [None if text is None else joined(json.loads(text)) for text in missing], as_text
                        ),
                    )
                )
            else:
                columns.append(
                    memo.column(
                        list(zip(questionnaire_ids, texts, strict=True)),
                        lambda missing, key=extra, as_text=as_text: value_cells(
                            plan.words.answer_labels(
                                key,
                                [questionnaire_id for questionnaire_id, _text in missing],
                                [None if text is None else json.loads(text) for _id, text in missing],
                            ),
                            as_text,
                        ),
                    )
                )
            continue
        elif kind == "answer":
            if extra is None:
                values = _answer_texts(answers[where])
            else:
                values = plan.words.answer_labels(extra, questionnaire_ids, answers[where])
        elif kind == "datetime":
            if as_text:
                values = [None if text is None else parse_datetime(text, zone) for text in by_field[where]]
            else:
                columns.append(state.dates.cells(by_field[where]))
                continue
        elif kind == "vendors":
            values = plan.vendor_column(by_field[0], by_field[where])
        elif kind == "notes":
            if notes is None:
                notes = chunk_notes(records, zone)
            values = [notes.get(pk, "") for pk in by_field[0]]
        elif kind == "words":  # a handful of values (status, yes/no): each cell made once
            memo = state.memos.setdefault(number, ValueMemo())
            columns.append(
                memo.column(
                    by_field[where],
                    lambda missing, words=extra, as_text=as_text: value_cells(
                        [words.get(value, value) for value in missing], as_text
                    ),
                )
            )
            continue
        else:
            values = by_field[where]
        columns.append(value_cells(list(values), as_text))
    return columns


class _State:
    """What an export keeps between its chunks."""

    def __init__(self, plan, zone):
        self.text_columns = [key is not None and is_text_column(key) for key in plan.csv_column_keys]
        self.dates = _LocalSerials(zone)
        self.memos = {}


def _xml_attribute(text):
    return _escape(text).replace('"', "&quot;")


class _CompressingWriter:
    """Writes to a zip member in a thread of its own, so that compressing overlaps making the XML."""

    def __init__(self, stream):
        self.stream = stream
        self.blocks = queue.Queue(maxsize=4)
        self.error = None
        self.thread = threading.Thread(target=self._run, name="lead-export-xlsx-writer", daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while (block := self.blocks.get()) is not None:
                self.stream.write(block)
        except BaseException as error:  # raised in the caller's thread
            self.error = error
            while self.blocks.get() is not None:
                pass

    def write(self, text):
        if self.error is not None:
            raise self.error
        self.blocks.put(text.encode())

    def close(self):
        self.blocks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def write_streaming(queryset, fileobj, columns=None, chunk_size=CHUNK_SIZE, progress=None, language=None):
    """Write the leads of ``queryset`` as an XLSX workbook to ``fileobj`` (a binary file): ``write_xlsx``'s workbook.

    The same cells, types, number formats and layout as ``xlsx.write_openpyxl``,
    made a column at a time (see the module docstring).
    """
    sample_rows = layout.SAMPLE_ROWS  # read when called: tests change it
    if columns is None:
        columns = columns_for(queryset, language=language)
    datetime_format, date_format = layout.number_formats(language)
    with translation.override(language or translation.get_language()):
        title = gettext("Leads")
    zone = timezone.get_default_timezone()
    plan = RowPlan(queryset, columns, csv=True, language=language, fast=True, cells=XlsxCells)
    state = _State(plan, zone)
    held = []
    # The widths come from the first sample_rows rows' values, as write_openpyxl's.
    if None in plan.csv_column_keys:  # the database writes cells: the values are read on their own
        values_plan = RowPlan(queryset, columns, csv=True, language=language, fast=True)
        first = (
            next(iter_chunks(values_plan.queryset, values_plan.fields, sample_rows), [])
            if sample_rows
            else []
        )
        sample = _sample_rows(values_plan, first, zone)
    chunks = iter_chunks_read_ahead(
        plan.queryset, plan.fields, chunk_size, prefetch=notes_prefetch(zone) if plan.has_notes else None
    )
    try:
        if None not in plan.csv_column_keys:  # the chunks that hold the first rows wait
            for records in chunks:
                held.append(records)
                if sum(map(len, held)) >= sample_rows:
                    break
            sample = _sample_rows(plan, list(chain.from_iterable(held))[:sample_rows], zone)
        widths = layout.column_widths(columns, sample)
        with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
                sheet = _CompressingWriter(member)
                try:
                    rows = _write_sheet(
                        sheet, plan, state, zone, columns, widths, chain(held, chunks), progress
                    )
                finally:
                    sheet.close()
            last = get_column_letter(max(len(columns), 1))
            filter_range = f"A1:{last}{rows + 1}" if columns else None
            _write_parts(archive, title, filter_range, datetime_format, date_format)
    finally:
        chunks.close()  # stops the reading at once after an error


def _write_sheet(sheet, plan, state, zone, columns, widths, chunks, progress):
    """The sheet's XML, chunk by chunk; returns the number of rows of leads."""
    sheet.write(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/></sheetPr>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
    )
    if columns:
        sheet.write(
            "<cols>"
            + "".join(
                f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
                for number, width in enumerate(widths, start=1)
            )
            + "</cols>"
        )
    header_start = f'<c t="inlineStr" s="{HEADER}"><is><t xml:space="preserve">'
    header = "".join(
        header_start + _escape(ILLEGAL_CHARACTERS.sub("", str(title))) + _TEXT_END for _key, title in columns
    )
    sheet.write(f'<sheetData><row r="1">{header}</row>')
    written = 0
    for records in chunks:
        cells = chunk_cells(plan, records, state, zone)
        starts = [f'<row r="{number}">' for number in range(written + 2, written + 2 + len(records))]
        sheet.write("</row>".join(map("".join, zip(starts, *cells, strict=True))) + "</row>")
        written += len(records)
        if progress is not None:
            progress(written)
    sheet.write("</sheetData>")
    if columns:
        sheet.write(f'<autoFilter ref="A1:{get_column_letter(len(columns))}{written + 1}"/>')
    sheet.write(
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )
    return written


def _sample_rows(plan, records, zone):
    """The first rows as plain values (those of ``lead_rows``), for the column widths (``xlsx.column_widths``)."""
    if not records:
        return []
    values = []
    by_field, answers, questionnaire_ids = chunk_by_field(plan, records)
    notes = None
    for kind, where, extra in plan.csv_columns:
        if kind == "answer_json":
            decoded = [None if text is None else json.loads(text) for text in by_field[where]]
            if extra is None:
                values.append([joined(value) for value in decoded])
            else:
                values.append(plan.words.answer_labels(extra, questionnaire_ids, decoded))
        elif kind == "answer":
            values.append(
                _answer_texts(answers[where])
                if extra is None
                else plan.words.answer_labels(extra, questionnaire_ids, answers[where])
            )
        elif kind == "datetime":
            values.append([None if text is None else parse_datetime(text, zone) for text in by_field[where]])
        elif kind == "vendors":
            values.append(plan.vendor_column(by_field[0], by_field[where]))
        elif kind == "notes":
            if notes is None:
                notes = notes_by_lead(by_field[0], zone)
            values.append([notes.get(pk, "") for pk in by_field[0]])
        elif kind == "words":
            values.append([extra.get(value, value) for value in by_field[where]])
        else:
            values.append(list(by_field[where]))
    return [list(row) for row in zip(*values, strict=True)] if values else [[] for _record in records]


def _write_parts(archive, title, filter_range, datetime_format, date_format):
    """Everything of the workbook but the sheet: content types, relationships, workbook, styles."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    archive.writestr(
        "[Content_Types].xml",
        head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>",
    )
    archive.writestr(
        "_rels/.rels",
        head + f'<Relationships xmlns="{package}">'
        f'<Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        head + f'<Relationships xmlns="{package}">'
        f'<Relationship Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{relationships}/styles" Target="styles.xml"/>'
        "</Relationships>",
    )
    sheet_name = _xml_attribute(title)
    names = ""
    if filter_range:
        first, last = filter_range.split(":")
        absolute = (
            "$" + re.sub(r"(\d)", r"$\1", first, count=1) + ":$" + re.sub(r"(\d)", r"$\1", last, count=1)
        )
        quoted = "'" + title.replace("'", "''") + "'"
        names = (
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"{_xml_attribute(quoted)}!{absolute}</definedName></definedNames>"
        )
    archive.writestr(
        "xl/workbook.xml",
        head + f'<workbook xmlns="{main}" xmlns:r="{relationships}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets>{names}'
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>',
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    archive.writestr(
        "xl/styles.xml",
        head + f'<styleSheet xmlns="{main}">'
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{_xml_attribute(datetime_format)}"/>'
        f'<numFmt numFmtId="165" formatCode="{_xml_attribute(date_format)}"/></numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="5">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'  # PLAIN
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'  # HEADER
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # TEXT
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # DATETIME
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # DATE
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>",
    )
