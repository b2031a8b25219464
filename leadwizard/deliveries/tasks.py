"""Background tasks of the lead wizard, run through Django's tasks API (``django_tasks``).

With the immediate backend (development, tests) a task runs inside the request
that enqueues it; in production a worker (``manage.py db_worker``) runs them.
"""

from django_tasks import task

from . import deliveries
from .models import Delivery


@task()
def deliver(delivery_id):
    """Attempt one delivery of a lead; the outcome is recorded on the row, failures are retried later."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    result = deliveries.attempt(delivery)
    if result is None:
        return "skipped"
    return "succeeded" if result else "failed"
