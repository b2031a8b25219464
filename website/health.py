"""``/healthz``: is this app server able to serve? For load balancers and monitoring.

Checks the database, the cache and the task queue and answers with JSON::

    {"status": "ok", "checks": {"database": {"ok": true, "ms": 1.2}, "cache": {...}, "tasks": {...}}}

The answer is 200 when the app can serve and 503 when it cannot. It carries no
personal data (no task arguments, no error messages, which may name hosts or
users: only the exception's class), needs no login and is never cached.
"""

import logging
import time
import uuid
from datetime import timedelta

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
# A ready task nobody picked up for this long means the worker is down or far behind.
STUCK_AFTER = timedelta(minutes=15)


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy, whatever raised it
        logger.warning("Health check %s failed", check.__name__, exc_info=True)
        result = {"ok": False, "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return {"ok": row is not None and row[0] == 1}


def check_cache():
    cache = caches[CACHE_ALIAS]
    key = f"healthz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        ok = cache.get(key) == value
    finally:
        cache.delete(key)
    return {"ok": ok}


def check_tasks():
    """The default task backend; a stuck queue is reported but is not an error.

    For ``django_tasks_db``'s database backend, its table must answer (else the
    check raises and the server is unhealthy), and ready tasks due for longer
    than ``STUCK_AFTER`` are counted as ``stuck``. A stuck queue sets ``"ok":
    false`` and the overall status to ``"degraded"`` but keeps the answer at 200:
    the worker is a separate process, and a load balancer that took every app
    server out of rotation because of it would stop readers from reading while
    fixing nothing.
    """
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, ImmediateBackend):
        return {"ok": True, "backend": "immediate"}
    if not isinstance(backend, DatabaseBackend):
        return {"ok": True, "backend": type(backend).__name__}
    due_before = timezone.now() - STUCK_AFTER
    # run_after is the maximum date for tasks that may run at once; they are due since enqueued.
    stuck = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name=backend.alias)
        .filter(
            Q(run_after=get_date_max(), enqueued_at__lte=due_before)
            | (~Q(run_after=get_date_max()) & Q(run_after__lte=due_before))
        )
        .count()
    )
    return {"ok": stuck == 0, "backend": "database", "stuck": stuck}


# Without these the app cannot serve readers: a failure answers 503.
CRITICAL_CHECKS = ("database", "cache")


@require_safe
@never_cache
def healthz(request):
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "tasks": _timed(check_tasks),
    }
    # The tasks check only fails with an "error" when its table cannot be read.
    failed = any(not checks[name]["ok"] for name in CRITICAL_CHECKS) or "error" in checks["tasks"]
    if failed:
        status = "error"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=503 if failed else 200)
