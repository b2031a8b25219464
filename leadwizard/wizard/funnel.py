"""Funnel counting: one per-day counter per (page, questionnaire, step), nothing personal."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import FunnelCount


def count_step(page_id, questionnaire_id, step_key):
    """Add one reader reaching ``step_key`` today; safe under concurrent requests."""
    today = timezone.localdate()
    lookup = {"date": today, "page_id": page_id, "questionnaire_id": questionnaire_id, "step": step_key}
    if FunnelCount.objects.filter(**lookup).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            FunnelCount.objects.create(count=1, **lookup)
    except IntegrityError:
        # Another request created today's row first.
        FunnelCount.objects.filter(**lookup).update(count=F("count") + 1)
