"""The rows of a lead export: one list of plain values per lead, in the export's language, read cheaply.

Dates are in the site's time zone; answers are the labels the reader saw (in
the export's language where the questionnaire has a translation), the
``answer_keys`` columns the option keys as stored; status, yes/no and consent
state are words; ``top_vendors`` the best matches with their scores
("Alpha CRM (87 %)"); ``notes`` the internal notes, oldest first.
"""

import json
import operator
from collections import defaultdict
from datetime import UTC, datetime

from django.db import connections
from django.db.models import BooleanField, Case, CharField, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

from .columns import (
    FIXED_COLUMNS,
    answer_key,
    definitions,
    export_language,
    export_questionnaires,
    is_text_column,
    stored_question_key,
)
from .database import (
    LISTS_SEPARATOR,
    MAX_VENDORS,
    AnswerJson,
    AnswerValues,
    CsvFields,
    VendorLists,
    VendorScores,
    database_json,
    simple_kind,
    username_field,
    writes_csv_in_database,
)
from .reading import CHUNK_SIZE, iter_chunks

# Distinct scores kept in words per export, before the memo starts afresh.
MAX_VENDOR_WORDS = 200_000
ROW_MARK = "\x1d"  # between the rows of a column of VendorLists' texts; JSON text escapes it
ITEM_SEPARATOR = "\x1e"  # between the names (and the scores) of a column once cut apart
FIELDS = {key: field for key, field, _header in FIXED_COLUMNS}
DATETIMES = frozenset({"created_at", "consent_given_at", "marketing_confirmed_at"})
BOOLEANS = frozenset({"marketing_consent"})


def parse_datetime(text, zone):
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:  # SQLite stores UTC without an offset
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone)


def has_withdrawal(model):
    """Whether leads record a withdrawn marketing consent (``marketing_withdrawn_at``)."""
    return any(field.name == "marketing_withdrawn_at" for field in model._meta.get_fields())


def marketing_state(model):
    """The state of the marketing consent as a database expression: none, asked, confirmed or withdrawn.

    A withdrawal wins over everything; a consent asked for but not confirmed
    (double opt-in) is "asked".
    """
    whens = []
    if has_withdrawal(model):
        whens.append(When(marketing_withdrawn_at__isnull=False, then=Value("withdrawn")))
    whens += [
        When(marketing_consent=False, then=Value("none")),
        When(marketing_confirmed_at__isnull=False, then=Value("confirmed")),
    ]
    return Case(*whens, default=Value("asked"), output_field=CharField())


def joined(value):
    """A stored answer as one value: lists joined with ", ", objects as JSON, anything else as it is."""
    if type(value) is list:
        return ", ".join(map(str, value))
    if type(value) is dict:  # not written by the wizard; kept readable
        return json.dumps(value, ensure_ascii=False)
    return value


class ExportWords:
    """Everything an export writes in words, in its language, worked out once per export.

    ``option_labels``: per questionnaire id, per question key, option key ->
    label, from the questionnaire's translation in the export's language when
    there is one, else from the lead's own questionnaire. ``fallback_labels``:
    the same per question key for leads whose questionnaire lacks the question
    (or was deleted).
    """

    def __init__(self, queryset, language=None, question_keys=()):
        from ..models import Lead, Questionnaire

        self.language = export_language(language)
        question_keys = set(question_keys)
        with translation.override(self.language):
            self.booleans = {True: gettext("Yes"), False: gettext("No"), None: None}
            self.status = {value: str(label) for value, label in Lead.Status.choices}
            self.consent_states = {
                "none": pgettext("marketing consent", "None"),
                "asked": pgettext("marketing consent", "Requested, not confirmed"),
                "confirmed": pgettext("marketing consent", "Confirmed"),
                "withdrawn": pgettext("marketing consent", "Withdrawn"),
                None: None,
            }
            self.decimal_separator = formats.get_format("DECIMAL_SEPARATOR", self.language)
            self.option_labels, self.fallback_labels = {}, {}
            if question_keys:
                used = list(
                    Questionnaire.objects.filter(
                        pk__in=queryset.order_by().values("questionnaire_id")
                    ).select_related("locale")
                )
                translated = {
                    q.translation_key: q
                    for q in Questionnaire.objects.filter(
                        translation_key__in=[q.translation_key for q in used],
                        locale__language_code=self.language,
                    )
                }
                for questionnaire in used:
                    shown = translated.get(questionnaire.translation_key, questionnaire)
                    self.option_labels[questionnaire.pk] = self.labels_of(shown.definition, question_keys)
                for definition in reversed(definitions(export_questionnaires(queryset, self.language))):
                    self.fallback_labels.update(self.labels_of(definition, question_keys))

    @staticmethod
    def labels_of(definition, keys):
        """Per question key of ``keys`` with options: option key -> label (str)."""
        return {
            question.key: {option.key: str(option.label) for option in question.choices}
            for step in definition.steps
            for question in step.questions
            if question.key in keys and question.choices
        }

    def asks(self, key):
        """Whether ``key`` is a question with options in any of the export's questionnaires."""
        return key in self.fallback_labels or any(key in labels for labels in self.option_labels.values())

    def answer_labels(self, key, questionnaire_ids, values):
        """One question's stored answers as the reader saw them: option labels, lists joined with ", "."""
        fallback = self.fallback_labels.get(key, {})
        texts = []
        for questionnaire_id, value in zip(questionnaire_ids, values, strict=True):
            labels = self.option_labels.get(questionnaire_id, {}).get(key, fallback)
            if type(value) is list:
                texts.append(", ".join([str(labels.get(item, item)) for item in value if _hashable(item)]))
            elif _hashable(value):
                texts.append(labels.get(value, value))
            else:
                texts.append(joined(value))
        return texts

    def number(self, value):
        """A number as text in the export's language: "87", "87,5"."""
        return format(value, "g").replace(".", self.decimal_separator)

    def vendor(self, name, score):
        """A vendor with its score: "Alpha CRM (87 %)"; the name alone without a score."""
        if isinstance(score, int | float) and not isinstance(score, bool):
            return f"{name} ({self.number(score)} %)"
        return str(name)

    def vendors(self, matches):
        """The ``top_matches`` of a lead as text: "Alpha CRM (87 %), Beta CRM (64 %)"."""
        return ", ".join(
            self.vendor(match["vendor"], match.get("score"))
            for match in matches or ()
            if isinstance(match, dict) and "vendor" in match
        )


def _hashable(value):
    return type(value) is not dict and type(value) is not list


def notes_by_lead(pks, zone, connection=None):
    """The internal notes of the leads ``pks`` as one text per lead, oldest first, one query.

    Each note is "YYYY-MM-DD HH:MM Author: text", in the site's time zone; notes
    are separated by a line break. ``connection``: a database connection to ask
    instead of the queryset's (a chunk reader's own, in its thread).
    """
    from ..models import LeadNote

    notes = defaultdict(list)
    notes_of_chunk = LeadNote.objects.all()
    if connection is None:
        connection = connections[notes_of_chunk.db]
    if connection.vendor == "postgresql":
        # One array parameter: the ORM's IN list prepares each of a chunk's ids, a fifth of an XLSX export's time.
        column = (
            f"{connection.ops.quote_name(LeadNote._meta.db_table)}.{connection.ops.quote_name('lead_id')}"
        )
        notes_of_chunk = notes_of_chunk.filter(RawSQL(f"{column} = ANY(%s)", (list(pks),), BooleanField()))  # noqa: S611 - quoted names; the ids are a parameter
    else:
        notes_of_chunk = notes_of_chunk.filter(lead_id__in=pks)
    records = notes_of_chunk.order_by("created_at", "pk").values_list(
        "lead_id", "created_at", "author_name", "author__" + username_field()[len("assignee__") :], "text"
    )
    compiler = records.query.get_compiler(connection=connection)
    for lead_id, created_at, author_name, username, text in compiler.results_iter(tuple_expected=True):
        author = author_name or username or ""
        when = timezone.localtime(created_at, zone).strftime("%Y-%m-%d %H:%M")
        notes[lead_id].append(f"{when} {author}: {text}" if author else f"{when}: {text}")
    return {lead_id: "\n".join(texts) for lead_id, texts in notes.items()}


def chunk_notes(records, zone):
    """``notes_by_lead`` of a chunk's leads: what its reader fetched beside it (``Chunk.prefetched``), else asked now."""
    prefetched = getattr(records, "prefetched", None)
    if prefetched is not None:
        return prefetched
    return notes_by_lead([record[0] for record in records], zone)


def notes_prefetch(zone):
    """A ``prefetch`` for ``iter_chunks_read_ahead``: the chunk's notes, read by the chunk's reader."""

    def prefetch(pks, connection):
        return notes_by_lead(pks, zone, connection)

    return prefetch


class RowPlan:
    """How to read the columns' values from the database, put them in order and in words.

    Dates are read as text and parsed here, and on SQLite and PostgreSQL the
    answers and vendor names and scores are picked out of the JSON by the
    database: Django's per-value converters and decoding whole JSON documents
    would cost more than everything else in a row.

    ``csv``: the plan is for ``csv_block`` (``csv_columns``), ``dialect`` the
    CSV dialect's ``CsvDialect``. On PostgreSQL each answer then comes as its
    own JSON text, which ``csv_block`` mostly reads without decoding, and the
    runs of text, yes/no and number columns come as finished CSV fields
    (``CsvFields``); ``rows`` is not available then. ``cells``: instead of CSV
    fields, an expression class that writes a run of text and whole-number
    columns (``cells(paths, [(kind, as_text), ...])``) as the workbook's cells,
    on PostgreSQL with a UTF-8 database (``xlsx_streaming.XlsxCells``).
    """

    def __init__(
        self, queryset, columns, csv=False, language=None, dialect=None, fast=False, cells=None, words=None
    ):
        connection = connections[queryset.db]
        in_database = database_json(connection)
        csv_in_database = csv and dialect is not None and writes_csv_in_database(connection)
        cells_in_database = csv and cells is not None and writes_csv_in_database(connection)
        self.model = queryset.model
        keys = [key for key, _header in columns]
        self.answer_keys = list(dict.fromkeys(k for k in map(stored_question_key, keys) if k is not None))
        # ``words`` made for more question keys says the same of these (``ExportWords``).
        self.words = words or ExportWords(queryset, language, self.answer_keys)
        self.answers_in_database = in_database
        self.answers_by_key = csv and bool(self.answer_keys) and connection.vendor == "postgresql"
        self.vendors_in_database = in_database
        self.vendor_pairs = connection.vendor == "postgresql"  # [[name, score], ...]; SQLite: flat
        # The vendors and scores as JSON arrays (VendorLists) for the fast writers; lead_rows stays the reference.
        self.vendor_items = (csv or fast) and connection.vendor == "postgresql"
        self.vendor_scores = {ROW_MARK: ROW_MARK, "": ""}  # a score's JSON text -> " (87,5 %)"
        self.fields = []
        # csv_block's memo of labelled answers: per question key, (questionnaire id, JSON text) -> field.
        self.label_fields = {}
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
        self.questionnaire_index = None
        if any(answer_key(key) is not None and self.words.asks(answer_key(key)) for key in keys):
            self.questionnaire_index = read("questionnaire_id")

        places = []  # for rows(): per column ("record", position) or ("answer", number)
        self.csv_columns = []  # for csv_block: per column (kind, where, words)
        self.csv_column_keys = []  # the column key of each of csv_columns; None for a run of columns
        self.transforms = []  # for rows(): per column index, what turns the value into what is written
        runs = {}  # CsvFields to make: field -> (paths, kinds)
        run = None
        for index, key in enumerate(keys):
            question_key = stored_question_key(key)
            path = username_field() if key == "assignee" else FIELDS.get(key) or key
            if question_key is not None:
                number = self.answer_keys.index(question_key)
                places.append(("answer", number))
                labelled = answer_key(key) is not None and self.words.asks(question_key)
                kind = "answer_json" if self.answers_by_key else "answer"
                where = answer_positions[number] if self.answers_by_key else number
                self.csv_columns.append((kind, where, question_key if labelled else None))
                self.csv_column_keys.append(key)
                self.transforms.append(
                    ("labels", index, question_key) if labelled else ("joined", index, None)
                )
            elif key == "top_vendors":
                if self.vendor_items:
                    position = read("_top_vendors", VendorLists("top_matches"))
                elif in_database:
                    position = read("_top_vendors", VendorScores("top_matches"))
                else:
                    position = read("top_matches")
                places.append(("record", position))
                self.csv_columns.append(("vendors", position, None))
                self.csv_column_keys.append(key)
                self.transforms.append(("vendors", index, None))
            elif key == "notes":
                places.append(("record", 0))  # the pk; the notes are read per chunk
                self.csv_columns.append(("notes", 0, None))
                self.csv_column_keys.append(key)
                self.transforms.append(("notes", index, None))
            elif key in DATETIMES:
                position = read(f"_{key}_text", Cast(key, TextField()))
                places.append(("record", position))
                self.csv_columns.append(("datetime", position, None))
                self.csv_column_keys.append(key)
                self.transforms.append(("datetime", index, None))
            elif key in ("status", "marketing_state") or key in BOOLEANS:
                words = {
                    "status": self.words.status,
                    "marketing_state": self.words.consent_states,
                }.get(key, self.words.booleans)
                if key == "marketing_state":
                    position = read("_marketing_state", marketing_state(self.model))
                else:
                    position = read(path)
                if csv_in_database and key in BOOLEANS:
                    run = self._add_to_run(runs, run, read, path, ("bool", (words[True], words[False])))
                    continue
                places.append(("record", position))
                self.csv_columns.append(("words", position, words))
                self.csv_column_keys.append(key)
                self.transforms.append(("words", index, words))
            elif csv_in_database and (kind := simple_kind(self.model, path)) is not None:
                run = self._add_to_run(runs, run, read, path, kind)
                continue
            elif (
                cells_in_database and (kind := simple_kind(self.model, path, small_integers=True)) is not None
            ):
                run = self._add_to_run(runs, run, read, path, (kind, is_text_column(key)))
                continue
            else:
                position = read(path)
                places.append(("record", position))
                self.csv_columns.append(("value", position, None))
                self.csv_column_keys.append(key)
            run = None
        for field, (paths, kinds) in runs.items():
            annotations[field] = CsvFields(paths, kinds, dialect) if csv_in_database else cells(paths, kinds)
        self.queryset = queryset.annotate(**annotations) if annotations else queryset
        self.annotations = (
            annotations  # as made, unresolved: another query may use them (prepared.PreparedCopy)
        )
        # Records are (pk, *fields); answers follow them in the flat tuple that a row is picked from.
        width = len(self.fields) + 1
        self.positions = (
            None if runs else [width + where if place == "answer" else where for place, where in places]
        )

    def _add_to_run(self, runs, run, read, path, kind):
        """Add a column to the run of ``CsvFields`` being made (a new one after any other column)."""
        if run is None:
            field = f"_csv_{len(runs)}"
            run = runs[field] = ([], [])
            self.csv_columns.append(("csv", read(field), None))
            self.csv_column_keys.append(None)
        run[0].append(path)
        run[1].append(kind)
        return run

    @property
    def has_notes(self):
        """Whether a column shows the internal notes (read per chunk)."""
        return any(kind == "notes" for kind, _index, _extra in self.transforms)

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

    def vendor_column(self, pks, values):
        """``vendors`` of a chunk's column of ``VendorLists`` texts; each distinct score put in words once.

        A column at once: the names and the scores of all the chunk's leads are
        cut apart with str methods, rows marked by ``ROW_MARK`` among them; each
        score is looked up in ``vendor_scores``, paired with its name, and the
        pairs are joined and cut into rows again. When a lead's lists are not
        plain (see ``VendorLists``), the chunk goes row by row and such a lead is
        written from ``VendorScores``, as ``lead_rows`` writes it.
        """
        if not self.vendor_items:
            return [self.vendors(value, pk) for pk, value in zip(pks, values, strict=True)]
        if len(self.vendor_scores) > MAX_VENDOR_WORDS:
            self.vendor_scores = {ROW_MARK: ROW_MARK, "": ""}
        parts = ROW_MARK.join(["" if value is None else value for value in values])
        parts = parts.replace(LISTS_SEPARATOR, ROW_MARK).split(ROW_MARK)
        if len(parts) == 2 * len(values):
            rows = self._plain_vendor_rows(parts[0::2], parts[1::2])
            if rows is not None:
                return rows
        rows = [self._plain_vendor_row(value) for value in values]
        odd = [pk for pk, row in zip(pks, rows, strict=True) if row is None]
        if odd:
            found = dict(
                self.model._default_manager.using(self.queryset.db)
                .filter(pk__in=odd)
                .annotate(_top_vendors=VendorScores("top_matches"))
                .values_list("pk", "_top_vendors")
            )
            rows = [
                self._vendor_pairs_text(found.get(pk)) if row is None else row
                for pk, row in zip(pks, rows, strict=True)
            ]
        return rows

    def _plain_vendor_rows(self, names, scores):
        """The rows of a column's names and scores arrays, all at once; None unless every lead's are plain."""
        if not all(text == "[]" or (text[:2] == '["' and text[-2:] == '"]') for text in names):
            return None
        if not all(text[:1] == "[" and text[-1:] == "]" for text in scores):
            return None
        flat_names = ROW_MARK.join([text[2:-2] for text in names]).replace('", "', ITEM_SEPARATOR)
        # JSON text without escapes: no name holds a quote, and only strings are quoted.
        if '"' in flat_names or "\\" in flat_names:
            return None
        flat_names = flat_names.replace(ROW_MARK, ITEM_SEPARATOR + ROW_MARK + ITEM_SEPARATOR).split(
            ITEM_SEPARATOR
        )
        flat_scores = ROW_MARK.join([text[1:-1] for text in scores])
        if "\\" in flat_scores:
            return None
        tokens = (
            flat_scores.replace(", ", ITEM_SEPARATOR)
            .replace(ROW_MARK, ITEM_SEPARATOR + ROW_MARK + ITEM_SEPARATOR)
            .split(ITEM_SEPARATOR)
        )
        if len(tokens) != len(flat_names):
            return None
        suffixes = self._score_suffixes(tokens)
        if suffixes is None:
            return None
        text = ", ".join(map(str.__add__, flat_names, suffixes))
        # Every mark among the names met a mark among the scores: each lead's two arrays are as long.
        marks = len(names) - 1
        if text.count(ROW_MARK + ROW_MARK) != marks or text.count(ROW_MARK) != 2 * marks:
            return None
        rows = text.replace(", " + ROW_MARK + ROW_MARK + ", ", ROW_MARK).split(ROW_MARK)
        return rows if len(rows) == len(names) else None

    def _plain_vendor_row(self, value):
        """One lead's ``VendorLists`` text in words, or None when its lists are not plain."""
        if value is None:
            return None
        names, _separator, scores = value.partition(LISTS_SEPARATOR)
        rows = self._plain_vendor_rows([names], [scores])
        return None if rows is None else rows[0]

    def _score_suffixes(self, tokens):
        """What follows each vendor's name for the JSON texts of its score (" (87,5 %)"); None for one that isn't JSON.

        A score cut apart at ", " (a list, an object, a string with a comma) leaves
        pieces that are not JSON, so a token that is JSON is one whole score.
        """
        known = self.vendor_scores
        suffixes = list(map(known.get, tokens))
        if None in suffixes:
            for token in set(tokens) - known.keys():
                try:
                    score = json.loads(token)
                except ValueError:
                    return None
                known[token] = self.words.vendor("", score)
            suffixes = list(map(known.__getitem__, tokens))
        return suffixes

    def _vendor_pairs_text(self, value):
        """``VendorScores``' ``[[name, score], ...]`` (PostgreSQL) in words."""
        pairs = [
            item for item in (json.loads(value) if value else []) if isinstance(item, list) and len(item) == 2
        ]
        return ", ".join([self.words.vendor(name, score) for name, score in pairs if name is not None])

    def vendors(self, value, pk):
        """The top vendors with their scores as text, from what ``VendorLists``, ``VendorScores`` or the field gave."""
        if self.vendor_items:
            return self.vendor_column([pk], [value])[0]
        if not self.vendors_in_database:
            return self.words.vendors(value)
        if self.vendor_pairs:
            return self._vendor_pairs_text(value)
        items = json.loads(value) if value else []
        pairs = list(zip(items[0::2], items[1::2], strict=True))
        if len(pairs) > MAX_VENDORS and pairs[MAX_VENDORS][0] is not None:  # only the first ones
            return self.words.vendors(
                self.model._default_manager.filter(pk=pk).values_list("top_matches", flat=True).first()
            )
        return ", ".join([self.words.vendor(name, score) for name, score in pairs if name is not None])

    def rows(self, records, zone):
        positions = self.positions
        notes = chunk_notes(records, zone) if self.has_notes else None
        questionnaire_index = self.questionnaire_index
        for record in records:
            flat = (*record, *self.answers(record)) if self.answer_keys else record
            row = [flat[index] for index in positions]
            for kind, index, extra in self.transforms:
                value = row[index]
                if kind == "joined":
                    row[index] = joined(value)
                elif kind == "labels":
                    row[index] = self.words.answer_labels(extra, [record[questionnaire_index]], [value])[0]
                elif kind == "datetime":
                    row[index] = parse_datetime(value, zone)
                elif kind == "vendors":
                    row[index] = self.vendors(value, record[0])
                elif kind == "notes":
                    row[index] = notes.get(value, "")
                else:  # words
                    row[index] = extra.get(value, value)
            yield row


_FIRST = operator.itemgetter(0)


class ValueMemo:
    """Values worked out once per distinct input, started afresh when it grows too big."""

    # Entries before it starts afresh: a column's distinct values are usually a handful.
    MAX_ENTRIES = 20_000

    def __init__(self):
        self.values = {}

    def column(self, keys, work_out):
        """The values of ``keys``; ``work_out(missing keys)`` gives those not yet known, in order."""
        if len(self.values) > self.MAX_ENTRIES:
            self.values.clear()
        found = list(map(self.values.get, keys))  # each value in a 1-tuple, so that None is a value too
        if None in found:
            missing = list(
                dict.fromkeys(key for key, value in zip(keys, found, strict=True) if value is None)
            )
            self.values.update(zip(missing, [(value,) for value in work_out(missing)], strict=True))
            found = list(map(self.values.__getitem__, keys))
        return list(map(_FIRST, found))


def chunk_by_field(plan, records):
    """A chunk of records of ``plan`` a column at a time: ``(by_field, answers, questionnaire_ids)``.

    ``by_field``: one tuple per selected field; ``answers``: one tuple per answer
    key when the answers come as one JSON document (else empty);
    ``questionnaire_ids``: the field of each record's questionnaire, or None.
    """
    by_field = list(zip(*records, strict=True))
    answers = ()
    if plan.answer_keys and not plan.answers_by_key:
        answers = list(zip(*map(plan.answers, records), strict=True))
    questionnaire_ids = by_field[plan.questionnaire_index] if plan.questionnaire_index is not None else None
    return by_field, answers, questionnaire_ids


def lead_rows(queryset, columns, chunk_size=CHUNK_SIZE, progress=None, language=None):
    """The export's rows: one list of plain values per lead, in the order of ``columns``.

    Values are str, int, None or aware datetimes in the site's time zone
    (``TIME_ZONE``, whoever exports); everything said in words is in
    ``language`` (by default ``LANGUAGE_CODE``): answers as the labels the
    reader saw (list answers joined with ", "), status, yes/no and the marketing
    consent's state; ``answer_keys`` columns the option keys as stored;
    ``top_vendors`` the best matches with their scores. Leads come in id order
    (oldest first), read in chunks of ``chunk_size``; ``progress(rows_done)`` is
    called after every chunk.
    """
    plan = RowPlan(queryset, columns, language=language)
    zone = timezone.get_default_timezone()
    done = 0
    for records in iter_chunks(plan.queryset, plan.fields, chunk_size):
        yield from plan.rows(records, zone)
        done += len(records)
        if progress is not None:
            progress(done)
