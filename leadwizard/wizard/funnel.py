"""Funnel counting: per-day counters per page and questionnaire, nothing personal.

The wizard flow counts each reader once per step and question (it remembers in the reader's
signed state what it has counted already), collects what one request counts and writes it with one
``count`` call, passing the reader's cohort day, the day they started the wizard. So one day's counts describe the readers who started that day, and a later step never
counts more readers than an earlier one.

Rows (``FunnelCount``):

- a step row has ``step`` set to the step key (or ``"contact"``/``"success"``) and an empty
  ``question``: readers of the cohort who reached the step;
- an answer row has an empty ``step`` and ``question`` set to the question key: readers of the
  cohort who answered the question. Question keys are unique within a questionnaire, so the step is
  not needed to tell them apart, and the report finds each question's step in the definition.
"""

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from ..models import FunnelCount

# Backends whose INSERT … ON CONFLICT (…) DO UPDATE adds to existing rows in the same statement.
UPSERT_VENDORS = {"postgresql", "sqlite"}
KEY_FIELDS = ("date", "page", "questionnaire", "step", "question")


def count(page_id, questionnaire_id, day=None, steps=(), questions=()):
    """Count one reader reaching each of ``steps`` and answering each of ``questions``, in the cohort of ``day``.

    ``day`` is a date, default today. Call it once per reader, step and question
    (what the reader's state says was counted already must be left out). One query
    on PostgreSQL and SQLite, however many rows: a step of the wizard counts the
    step answered, its questions and the step reached next together.
    """
    day = day or timezone.localdate()
    rows = sorted(
        {(key, "") for key in steps if key} | {("", key) for key in questions if key}
    )  # sorted: concurrent upserts lock rows in one order and cannot deadlock
    if not rows:
        return
    connection = connections[router.db_for_write(FunnelCount)]
    if connection.vendor in UPSERT_VENDORS:
        _upsert(connection, page_id, questionnaire_id, day, rows)
        return
    base = {"date": day, "page_id": page_id, "questionnaire_id": questionnaire_id}
    for step, _question in rows:
        if step:
            _add_one({**base, "step": step, "question": ""})
    _add_answers(base, [question for step, question in rows if not step])


def _upsert(connection, page_id, questionnaire_id, day, rows):
    meta = FunnelCount._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(meta.get_field(name).column) for name in KEY_FIELDS]
    count_column = quote(meta.get_field("count").column)
    values = ", ".join(["(%s, %s, %s, %s, %s, 1)"] * len(rows))
    params = []
    date_value = meta.get_field("date").get_db_prep_value(day, connection)
    for step, question in rows:
        params += [date_value, page_id, questionnaire_id, step, question]
    # Written here because Django's bulk_create(update_conflicts=True) can only overwrite a
    # column with the new row's value, not add to it. Only quoted names from the model go
    # into the text; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, {count_column}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET {count_column} = {table}.{count_column} + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Other databases: an update, and an insert when the row is missing.


def _add_one(lookup):
    """Add 1 to the row of ``lookup``, creating it; safe when another request creates it first."""
    if FunnelCount.objects.filter(**lookup).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            FunnelCount.objects.create(count=1, **lookup)
    except IntegrityError:
        # Another request created the row between our update and our insert.
        FunnelCount.objects.filter(**lookup).update(count=F("count") + 1)


def _add_answers(base, keys):
    """Add 1 to each question's row of ``keys``: two queries when the day's rows exist already."""
    if not keys:
        return
    rows = FunnelCount.objects.filter(step="", **base)
    # Rows are only ever added, so the ones seen here still exist for the update; rows another request
    # adds meanwhile are handled by the insert's IntegrityError below.
    existing = set(rows.filter(question__in=keys).values_list("question", flat=True))
    if existing:
        rows.filter(question__in=existing).update(count=F("count") + 1)
    missing = [key for key in keys if key not in existing]
    if not missing:
        return
    try:
        with transaction.atomic():
            FunnelCount.objects.bulk_create(
                [FunnelCount(count=1, step="", question=key, **base) for key in missing]
            )
    except IntegrityError:
        # Another request created some of these rows first; the insert was rolled back as a whole.
        for key in missing:
            _add_one({"step": "", "question": key, **base})
