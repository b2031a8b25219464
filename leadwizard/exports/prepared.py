"""Lead export rows written ahead: each lead's CSV fields, kept beside it and copied by CSV exports (PostgreSQL).

Writing a lead's fields (answers as the labels the reader saw, vendors with
their scores, dates in the site's time zone, every text guarded against
formulas) is most of what a CSV export costs, and a lead changes rarely once
it has been worked on, while the same leads are exported again and again. So
the fields of each lead are written once per export language, by the same
code as the export (``csv_lines``), into a ``PreparedExportRow``, and a CSV export
copies them: it reads one text per lead and puts its fields in the export's
column order.

What may not be copied is written as before, lead by lead, in the same chunk:
- a lead without a prepared row: new, or changed since (a trigger deletes a
  lead's rows with every update of the lead, however it is made, so a copy
  never outlives an edit or an erasure);
- a lead whose row was written with other words: each row carries a hash
  (``words_key``) of everything besides the lead's own row that went into its
  fields (the labels of its questionnaire as the export shows them, the words
  for status and consent, the time zone, the layout). The export works the hash
  out for each questionnaire as it would write it and copies only rows that
  match; a questionnaire edited since, or an export whose other questionnaires
  would label an answer differently, writes those leads itself;
- leads that answered questions their questionnaire no longer asks, or whose
  questionnaire was deleted: never prepared.
The assignee's user name and the internal notes are never kept: a renamed user
or a new note does not touch the lead's row. A prepared row holds their fields
as a lead without them has them, and every export reads and puts in the real ones.

Copying costs little in the process: outside a transaction, with the columns
of the prepared rows in their order, PostgreSQL joins a chunk's copied lines
into one value (``PreparedCopy.wrap``), and the process turns the field marks
into its dialect's separators with one ``bytes.replace``; otherwise it picks
each lead's fields from its row, read as bytes.

A CSV export that had to write leads itself queues ``prepare_export_rows`` for
its language afterwards; ``manage.py prepare_lead_exports`` does it at once
(after deploying, or from cron). ``LEADWIZARD_EXPORT_PREPARED_ROWS = False``
switches all of it off. The bytes of an export are the same either way: a
differential test compares them on odd data.
"""

import hashlib
import json
import logging
import operator

from django.conf import settings
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone

from ..background import task
from ..conf import app_settings
from .columns import (
    answer_key,
    export_columns,
    export_language,
    export_questionnaires,
    order_questionnaires,
    stored_question_key,
)
from .csv import CsvDialect, LocalTimeTexts, csv_lines
from .database import CsvFields, username_field, writes_csv_in_database
from .reading import CHUNK_SIZE, Chunk, iter_chunks
from .rows import ExportWords, RowPlan, chunk_notes

logger = logging.getLogger(__name__)

# Changes when the fields are written differently: every row prepared before is then ignored.
FORMAT = 1
# Between the fields of a prepared row. Leads keep no control characters (Lead.clean_stored_text);
# a row with one more or one less is not kept.
FIELD_SEPARATOR = "\x1f"
# Written as the decimal separator while preparing: a row with a decimal number is not kept,
# because the two CSV dialects write it differently.
DECIMAL_MARK = "\x1c"
# Stands for a line the process writes among a chunk's copied lines (PreparedCopy.wrap); a row
# holding it is not kept.
PLACEHOLDER = "\x1e"
# Columns read with every export: a prepared row holds their fields as a lead without them
# has them (no assignee, no notes), and an export puts in the real ones.
EMPTY_LIVE_FIELDS = {"assignee": "", "notes": '""'}

BUILD_DIALECT = CsvDialect(FIELD_SEPARATOR, DECIMAL_MARK)


def prepares(connection):
    """Whether rows are prepared and copied on ``connection``: the setting, PostgreSQL with a UTF-8 database."""
    return bool(app_settings.EXPORT_PREPARED_ROWS) and writes_csv_in_database(connection)


def layout_of(group, language):
    """The column keys a prepared row of a lead of this questionnaire group holds, in order.

    ``group``: a questionnaire and its translations. The columns an export of
    just these leads has (``export_columns``), so that an export of them all, in
    the usual order, copies each prepared row as it is.
    """
    ordered = order_questionnaires(group, language)
    return tuple(key for key, _header in export_columns(ordered, language))


def words_key(words, questionnaire_id, layout):
    """A hash of everything besides a lead's own row that its fields in ``layout`` are written with.

    ``words``: the ``ExportWords`` of an export (or of a preparation). Per
    question of the layout, whether its answers are written as labels and which
    labels a lead of ``questionnaire_id`` gets; the words for status, yes/no and
    consent; the decimal separator of scores; the time zone; the layout itself.
    """
    answers = []
    for key in layout:
        question_key = answer_key(key)
        if question_key is not None:
            labelled = words.asks(question_key)
            labels = None
            if labelled:
                fallback = words.fallback_labels.get(question_key, {})
                labels = words.option_labels.get(questionnaire_id, {}).get(question_key, fallback)
            answers.append([question_key, labelled, labels])
    payload = [
        FORMAT,
        words.language,
        settings.TIME_ZONE,
        words.status,
        [words.booleans[True], words.booleans[False]],
        {state: text for state, text in words.consent_states.items() if state is not None},
        words.decimal_separator,
        list(layout),
        answers,
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:40]


def _groups(questionnaires):
    """``questionnaires`` by translation: lists of a questionnaire and its translations, in the order given."""
    groups = {}
    for questionnaire in questionnaires:
        groups.setdefault(questionnaire.translation_key, []).append(questionnaire)
    return list(groups.values())


def _answer_keys(layout):
    return list(dict.fromkeys(k for k in map(stored_question_key, layout) if k is not None))


class _JsonArrayText(Func):
    """Its expressions' values as the text of a JSON array: the fields a lead written by the export needs, in one column."""

    function = "json_build_array"
    template = "%(function)s(%(expressions)s)::text"
    output_field = TextField()


class _Layout:
    """How the prepared rows of one layout become an export's lines: as they are, or picked apart."""

    def __init__(self, layout, keys):
        self.as_stored = list(layout) == list(keys)
        places = {key: index for index, key in enumerate(layout)}
        self.assignee_at = places.get("assignee")
        self.notes_at = places.get("notes")
        # A column the layout lacks (a question of another questionnaire) is empty: the "" at the end.
        indexes = [places.get(key, len(layout)) for key in keys]
        if len(indexes) == 1:
            (index,) = indexes
            self.pick = lambda fields: (fields[index],)
        else:
            self.pick = operator.itemgetter(*indexes)


class PreparedCopy:
    """How a CSV export copies prepared rows: the query's extra fields, and each chunk's lines (bytes).

    ``for_export`` gives None where rows are not prepared. ``written`` lists
    the leads the export wrote itself (``RowPlan``), which it then queues for
    preparation.
    """

    @classmethod
    def for_export(cls, queryset, columns, language, dialect):
        """A ``PreparedCopy``, or None where rows are not prepared.

        Where none is prepared in the export's language yet, an export writes every
        lead as before, and then queues the preparation (``prepare_later``).
        """
        from ..models import PreparedExportRow

        if not prepares(connections[queryset.db]):
            return None
        language = export_language(language)
        if not PreparedExportRow.objects.using(queryset.db).filter(language=language).exists():
            return _NothingPrepared(language)
        return cls(queryset, columns, language, dialect)

    def __init__(self, queryset, columns, language, dialect):
        self.language = export_language(language)
        self.dialect = dialect
        keys = [key for key, _header in columns]
        layouts = {}
        for group in _groups(export_questionnaires(queryset, self.language)):
            layout = layout_of(group, self.language)
            layouts.update((questionnaire.pk, layout) for questionnaire in group)
        question_keys = set(_answer_keys(keys))
        for layout in set(layouts.values()):
            question_keys.update(_answer_keys(layout))
        # One ExportWords for the keys and for the leads written here: what it says of a
        # question does not depend on which other questions it was made for.
        words = ExportWords(queryset, self.language, sorted(question_keys))
        self.words_texts = {pk: words_key(words, pk, layout) for pk, layout in layouts.items()}
        self.words_keys = {pk: key.encode() for pk, key in self.words_texts.items()}  # as the rows come
        by_layout = {}
        self.layouts = {}
        for pk, layout in layouts.items():
            if layout not in by_layout:
                by_layout[layout] = _Layout(layout, keys)
            self.layouts[pk] = by_layout[layout]
        self.plan = RowPlan(queryset, columns, csv=True, language=self.language, dialect=dialect, words=words)
        self.has_notes = "notes" in keys
        self.fields = ["questionnaire_id", "_prepared__words", "_prepared__text"]
        self.has_assignee = "assignee" in keys
        if self.has_assignee:
            queryset = queryset.annotate(
                _assignee_field=CsvFields([username_field()], ["nullable text"], dialect)
            )
            self.fields.append("_assignee_field")
        # Then what the plan reads for a lead written here, NULL for a lead copied (see _with_rows).
        self.fields.append("_live")
        # Or, for wrap: per lead its copied line as it is, or the placeholder and its details.
        self.line_fields = ["_line"]
        self._without_rows = queryset
        self.queryset = self._with_rows(queryset)
        self.written = []

    def _with_rows(self, queryset, low=None, high=None):
        """``queryset`` with each lead's prepared row (or none), of the leads with ids in (low, high] if given.

        The same bounds on the rows let PostgreSQL read a chunk's rows in one
        pass of their index beside the leads' (a merge join) instead of looking
        each one up: a third of the database's time. Then the fields the plan
        reads, each NULL where the lead's row is current: the leads written here
        come in the same query, and the database works out their fields alone.
        """
        condition = Q(prepared_export_rows__language=self.language)
        if low is not None:
            condition &= Q(prepared_export_rows__lead_id__gt=low)
            queryset = queryset.filter(pk__gt=low)
        if high is not None:
            condition &= Q(prepared_export_rows__lead_id__lte=high)
            queryset = queryset.filter(pk__lte=high)
        queryset = queryset.annotate(_prepared=FilteredRelation("prepared_export_rows", condition=condition))
        expressions = [self.plan.annotations.get(name) or F(name) for name in self.plan.fields]
        queryset = queryset.annotate(
            _live=Case(
                When(Q(_prepared__words=self._current_words(self.layouts)), then=Value(None)),
                default=_JsonArrayText(*expressions),
                output_field=TextField(),
            )
        )
        # Copied as it is: a current row in the export's order, no assignee, no notes.
        as_stored = Q(
            _prepared__words=self._current_words(
                {pk: layout for pk, layout in self.layouts.items() if layout.as_stored}
            )
        )
        if self.has_assignee:
            as_stored &= Q(assignee__isnull=True)
        if self.has_notes:
            from ..models import LeadNote

            noted = LeadNote.objects.values("lead_id")
            if low is not None:
                noted = noted.filter(lead_id__gt=low)
            if high is not None:
                noted = noted.filter(lead_id__lte=high)
            as_stored &= ~Q(pk__in=noted)
        details = [F("pk"), F("questionnaire_id"), F("_prepared__words"), F("_prepared__text")]
        details += [F("_assignee_field") if self.has_assignee else Value(""), F("_live")]
        # JSON text holds no line end and no placeholder (it escapes control characters).
        return queryset.annotate(
            _line=Case(
                When(as_stored, then=F("_prepared__text")),
                default=Concat(Value(PLACEHOLDER), _JsonArrayText(*details)),
                output_field=TextField(),
            )
        )

    def _current_words(self, layouts):
        """The words a current row of a lead has, by its questionnaire among those of ``layouts``; else NULL."""
        return Case(
            *[When(questionnaire_id=pk, then=Value(self.words_texts[pk])) for pk in layouts],
            default=Value(None),
            output_field=CharField(),
        )

    def within(self, _queryset, low, high):
        """A chunk's query for ``reading.iter_chunks_in_parallel``: the leads in (low, high] and their rows."""
        return self._with_rows(self._without_rows, low, high)

    @property
    def copies_as_stored(self):
        """Whether the export's columns are those of some prepared rows, in their order (``wrap`` is for that)."""
        return any(layout.as_stored for layout in self.layouts.values())

    @staticmethod
    def wrap(sql):
        """A chunk's query for ``reading.iter_chunks_in_parallel``: one row of its lines, joined, and their number.

        The copied lines of the chunk's leads joined by line ends, in id order,
        each lead the process writes as the placeholder and its details in JSON.
        A row per lead cost PostgreSQL more to send than to read, and the process
        more to take apart than to copy.
        """
        return (
            'SELECT string_agg(chunk."_line", E\'\\r\\n\' ORDER BY chunk."pk"), count(*) '  # noqa: S608 - the ORM's SQL
            f"FROM ({sql}) AS chunk"
        )

    def joined_block(self, joined, dates, zone):
        """The CSV block of a chunk read by ``wrap``'s query: its joined lines, with the placeholders' written here."""
        separator = self.dialect.separator.encode()
        mark = FIELD_SEPARATOR.encode()
        parts = joined.split(PLACEHOLDER.encode())
        if len(parts) == 1:
            return (joined + b"\r\n").replace(mark, separator)
        details, rests = [], [parts[0]]
        for part in parts[1:]:
            detail, _line_end, rest = part.partition(b"\r\n")
            details.append(json.loads(detail))
            rests.append(_line_end + rest)
        written = self.lines(_as_bytes([tuple(detail) for detail in details]), dates, zone)
        block = [rests[0].replace(mark, separator)]
        for line, rest in zip(written, rests[1:], strict=True):
            block += (line, rest.replace(mark, separator))
        block.append(b"\r\n")
        return b"".join(block)

    def block(self, records, dates, zone):
        """The CSV lines (bytes, each with its line end) of a chunk of records of ``queryset`` and ``fields``."""
        return b"".join(line + b"\r\n" for line in self.lines(records, dates, zone))

    def lines(self, records, dates, zone):
        """The CSV lines (bytes, without line ends) of records of ``fields``: copied, or written by ``csv_lines``.

        The records' text columns are bytes (``reading.undecoded_text``) or str. A
        lead whose row is missing or was made with other words is written from what
        the same query read for it (``_live``). Notes are those the chunk's reader
        fetched, else asked for these leads.
        """
        separator = self.dialect.separator.encode()
        mark = FIELD_SEPARATOR.encode()
        words_keys, layouts = self.words_keys, self.layouts
        notes_texts, notes = None, {}
        if self.has_notes:
            field = self.dialect.field
            notes_texts = chunk_notes(records, zone)
            notes = {pk: field(text).encode() for pk, text in notes_texts.items()}
        has_assignee = self.has_assignee
        lines, live = [], []
        for record in _as_bytes(records):
            words = record[2]
            questionnaire_id = record[1]
            if words is None or words != words_keys.get(questionnaire_id):
                live.append(record[0])
                lines.append(None)
                continue
            text = record[3]
            layout = layouts[questionnaire_id]
            assignee = record[4] if has_assignee else b""
            note = notes.get(record[0])
            if layout.as_stored and not assignee and note is None:
                lines.append(text.replace(mark, separator))
                continue
            fields = text.split(mark)
            if assignee:
                fields[layout.assignee_at] = assignee
            if note is not None:
                fields[layout.notes_at] = note
            fields.append(b"")
            lines.append(separator.join(layout.pick(fields)))
        if live:
            self._write_live(records, lines, live, notes_texts, dates, zone)
        return lines

    def _write_live(self, records, lines, live, notes, dates, zone):
        """Put the lines of the leads ``live`` (None in ``lines``) in place, written by ``csv_lines``.

        Their records carry what the plan reads as a JSON array (``_live``);
        ``notes``: the records' notes by lead, already read (None: no notes column).
        """
        self.written += live
        live = set(live)
        written = Chunk((record[0], *json.loads(record[-1])) for record in records if record[0] in live)
        written.prefetched = notes
        texts = iter(csv_lines(self.plan, written, dates, self.dialect, zone))
        for index, line in enumerate(lines):
            if line is None:
                lines[index] = next(texts).encode()

    def prepare_later(self):
        """Queue the preparation of the leads this export wrote itself."""
        if self.written:
            # A long list would burden the task queue; the task then looks for them itself.
            enqueue_preparation(self.language, self.written if len(self.written) <= MAX_QUEUED_IDS else None)


# Lead ids an export hands to the preparation task; beyond it, the task looks for them itself.
MAX_QUEUED_IDS = 20_000


def _as_bytes(records):
    """``records`` with their text columns as UTF-8 bytes: as they come from ``undecoded_text`` cursors."""
    sample = next((record for record in records if record[2] is not None), None)
    if sample is None or type(sample[2]) is bytes:
        return records
    return [
        (record[0], record[1], *[value.encode() if type(value) is str else value for value in record[2:]])
        for record in records
    ]


class _NothingPrepared:
    """No lead is prepared in the export's language: the export writes them all and queues the preparation."""

    def __init__(self, language):
        self.language = language

    def prepare_later(self):
        enqueue_preparation(self.language)


@task()
def prepare_export_rows_task(language, lead_ids=None):
    """Write ahead the export fields in ``language`` of the leads ``lead_ids`` (None: all) that lack current ones."""
    return prepare_export_rows(language, lead_ids=lead_ids)


def enqueue_preparation(language, lead_ids=None):
    """Queue ``prepare_export_rows_task``; never raises (an export must not fail on it)."""
    try:
        prepare_export_rows_task.enqueue(language, lead_ids)
    except Exception:
        logger.exception("Could not queue the preparation of lead export rows (%s)", language)


def _answers_within(keys):
    """A condition: the lead's answers are an object whose keys are all among ``keys``."""
    # Only a constant goes into the text; the keys are a parameter.
    return RawSQL(
        "(jsonb_typeof(answers) = 'object' AND NOT EXISTS ("
        "SELECT 1 FROM jsonb_object_keys(answers) AS answer(key) WHERE answer.key <> ALL(%s)))",
        (list(keys),),
        output_field=BooleanField(),
    )


def _insert_rows(connection, language, rows):
    """Store ``rows`` (lead id, xmin, words, text) for leads still as they were read.

    The leads are locked while their rows are stored and must still have the
    ``xmin`` (the transaction that wrote them) they had before they were read:
    an update since, or one in progress, leaves that lead out, and an update
    after it deletes the row again (the trigger).
    """
    from ..models import Lead, PreparedExportRow

    quote = connection.ops.quote_name
    table = quote(PreparedExportRow._meta.db_table)
    leads = quote(Lead._meta.db_table)
    ids, xmins, words, texts = map(list, zip(*rows, strict=True))
    # Only quoted table names go into the text; the values are parameters.
    sql = (
        f"INSERT INTO {table} (lead_id, language, words, text) "  # noqa: S608
        f"SELECT lead.id, %s, row.words, row.text FROM {leads} AS lead "
        "JOIN unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS row(id, xmin, words, text) "
        "ON lead.id = row.id AND lead.xmin = row.xmin::xid "
        "FOR SHARE OF lead "
        "ON CONFLICT (lead_id, language) DO UPDATE SET words = EXCLUDED.words, text = EXCLUDED.text"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [language, ids, xmins, words, texts])
        return cursor.rowcount


def prepare_export_rows(language=None, lead_ids=None, batch_size=CHUNK_SIZE, using="default", progress=None):
    """Write the prepared rows in ``language`` of the leads that lack a current one; returns how many were written.

    ``lead_ids``: only these leads (default: all). Per questionnaire group, the
    leads whose row is missing or carries other words are written ``batch_size``
    at a time, with the export's own code, in one statement per batch. Nothing
    where rows are not prepared (``prepares``). ``progress(written)`` after each batch.
    """
    from ..models import Lead, PreparedExportRow, Questionnaire

    connection = connections[using]
    if not prepares(connection):
        return 0
    language = export_language(language)
    dialect = BUILD_DIALECT
    zone = timezone.get_default_timezone()
    dates = LocalTimeTexts(zone)
    questionnaires = Questionnaire.objects.using(using).select_related("locale").order_by("pk")
    written = 0
    for group in _groups(questionnaires):
        layout = layout_of(group, language)
        # Written here: every column but the assignee and notes, which get the fields of
        # a lead without them, at their places.
        columns = [(key, key) for key in layout if key not in EMPTY_LIVE_FIELDS]
        slots = [
            (index, EMPTY_LIVE_FIELDS[key]) for index, key in enumerate(layout) if key in EMPTY_LIVE_FIELDS
        ]
        leads = Lead.objects.using(using).filter(questionnaire__in=[q.pk for q in group])
        if lead_ids is not None:
            leads = leads.filter(pk__in=lead_ids)
        words = ExportWords(leads, language, _answer_keys(layout))
        for questionnaire in group:
            key = words_key(words, questionnaire.pk, layout)
            current = PreparedExportRow.objects.filter(lead=OuterRef("pk"), language=language, words=key)
            # The leads to write, in one pass over the questionnaire's leads.
            missing = list(
                leads.filter(questionnaire=questionnaire)
                .alias(_listed=_answers_within(_answer_keys(layout)), _current=Exists(current))
                .filter(_listed=True, _current=False)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(missing), batch_size):
                batch = missing[start : start + batch_size]
                # Read before the leads' fields: a lead changed in between keeps no row (_insert_rows).
                xmins = dict(
                    Lead.objects.using(using)
                    .filter(pk__in=batch)
                    .annotate(_xmin=RawSQL("xmin::text", ()))
                    .values_list("pk", "_xmin")
                )
                plan = RowPlan(
                    Lead.objects.using(using).filter(pk__in=batch),
                    columns,
                    csv=True,
                    language=language,
                    dialect=dialect,
                    words=words,
                )
                records = next(iter_chunks(plan.queryset, plan.fields, len(batch) + 1), [])
                texts = csv_lines(plan, records, dates, dialect, zone) if records else []
                rows = []
                for record, text in zip(records, texts, strict=True):
                    fields = text.split(FIELD_SEPARATOR)
                    if (
                        len(fields) != len(columns)
                        or DECIMAL_MARK in text
                        or PLACEHOLDER in text
                        or record[0] not in xmins
                    ):
                        continue  # a mark in a value (not kept), a decimal number, a lead gone
                    for index, empty in slots:
                        fields.insert(index, empty)
                    rows.append((record[0], xmins[record[0]], key, FIELD_SEPARATOR.join(fields)))
                if rows:
                    written += _insert_rows(connection, language, rows)
                if progress is not None:
                    progress(written)
    return written
