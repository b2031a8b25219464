"""The delivery task, run through Django's tasks API (``django_tasks``), and queueing it.

With the immediate backend (development, tests) a task runs inside the request
that enqueues it; in production a worker (``manage.py db_worker``) runs them. A
failed attempt is queued again for its next time where the backend can defer
tasks; elsewhere ``manage.py retry_deliveries`` (every minute) picks it up.
"""

import logging

from ..background import task
from ..models import Delivery
from .attempts import attempt

logger = logging.getLogger(__name__)


@task()
def deliver(delivery_id):
    """Attempt one delivery of a lead; the outcome is recorded on the row, failures are retried later."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    result = attempt_and_requeue(delivery)
    if result is None:
        return "skipped"
    return "succeeded" if result else "failed"


def attempt_and_requeue(delivery, force=False):
    """``attempts.attempt``, then queue the next attempt of a delivery that will be retried."""
    result = attempt(delivery, force=force)
    if result is False and delivery.status == Delivery.Status.RETRYING:
        enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return result


def enqueue(delivery_id, run_after=None):
    """Hand a delivery to the tasks backend; deferred to ``run_after`` only where the backend can defer.

    Returns whether a task was enqueued. When this fails, the row stays due and
    ``retry_deliveries`` picks it up.
    """
    try:
        queued = deliver
        if run_after is not None:
            if not deliver.get_backend().supports_defer:
                return False
            queued = deliver.using(run_after=run_after)
        queued.enqueue(delivery_id)
    except Exception:
        logger.exception("Could not enqueue delivery %s", delivery_id)
        return False
    return True
