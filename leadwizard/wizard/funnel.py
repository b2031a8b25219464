"""Funnel counting: per-day counters per page and questionnaire, nothing personal.

The wizard flow calls these once per reader and step or question (it remembers in the reader's
signed state what it has counted already) and passes the reader's cohort day, the day they started
the wizard. So one day's counts describe the readers who started that day, and a later step never
counts more readers than an earlier one.

Rows (``FunnelCount``):

- a step row has ``step`` set to the step key (or ``"contact"``/``"success"``) and an empty
  ``question``: readers of the cohort who reached the step;
- an answer row has an empty ``step`` and ``question`` set to the question key: readers of the
  cohort who answered the question. Question keys are unique within a questionnaire, so the step is
  not needed to tell them apart, and the report finds each question's step in the definition.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import FunnelCount


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


def count_step(page_id, questionnaire_id, step_key, day=None):
    """Count one reader reaching ``step_key`` in the cohort of ``day`` (a date, default today).

    Call it once per reader and step. One or two queries (three when racing another request).
    """
    _add_one(
        {
            "date": day or timezone.localdate(),
            "page_id": page_id,
            "questionnaire_id": questionnaire_id,
            "step": step_key,
            "question": "",
        }
    )


def count_answers(page_id, questionnaire_id, question_keys, day=None):
    """Count one reader having answered each of ``question_keys`` in the cohort of ``day`` (default today).

    Call it once per reader and question (keys already counted for the reader must be left out).
    Two queries when the day's rows exist already, whatever the number of keys; the first reader
    of a day adds one insert for all new rows.
    """
    keys = list(dict.fromkeys(key for key in question_keys if key))
    if not keys:
        return
    base = {"date": day or timezone.localdate(), "page_id": page_id, "questionnaire_id": questionnaire_id}
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
