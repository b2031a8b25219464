"""The rows of a lead export: one list of plain values per lead, read as cheaply as the database allows.

Dates are in the site's time zone; yes/no values are booleans; list answers are
their option keys joined with ", "; ``top_vendors`` the names of the best matches.
"""

import json
from datetime import UTC, datetime

from django.db import connections
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .columns import FIXED_COLUMNS, answer_key
from .database import (
    MAX_VENDORS,
    AnswerJson,
    AnswerValues,
    CsvFields,
    VendorNames,
    database_json,
    simple_kind,
    username_field,
    writes_csv_in_database,
)
from .reading import CHUNK_SIZE, iter_chunks

FIELDS = {key: field for key, field, _header in FIXED_COLUMNS}
DATETIMES = frozenset({"created_at", "consent_given_at", "marketing_confirmed_at"})


def parse_datetime(text, zone):
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:  # SQLite stores UTC without an offset
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone)


def top_vendors(matches):
    return ", ".join(
        str(match["vendor"]) for match in matches or () if isinstance(match, dict) and "vendor" in match
    )


class RowPlan:
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
        in_database = database_json(connection)
        csv_in_database = csv and writes_csv_in_database(connection)
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
            path = username_field() if key == "assignee" else FIELDS.get(key, key)
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
            elif key in DATETIMES:
                position = read(f"_{key}_text", Cast(key, TextField()))
                places.append(("record", position))
                self.csv_columns.append(("datetime", position))
            elif csv_in_database and (kind := simple_kind(self.model, path)) is not None:
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
        self.datetime_positions = [n for n, (key, _header) in enumerate(columns) if key in DATETIMES]
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
            return top_vendors(value)
        names = json.loads(value) if value else []
        if len(names) > MAX_VENDORS and names[MAX_VENDORS] is not None:  # SQLite gave only the first ones
            return top_vendors(
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
                row[index] = parse_datetime(row[index], zone)
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
    plan = RowPlan(queryset, columns)
    zone = timezone.get_default_timezone()
    done = 0
    for records in iter_chunks(plan.queryset, plan.fields, chunk_size):
        yield from plan.rows(records, zone)
        done += len(records)
        if progress is not None:
            progress(done)
