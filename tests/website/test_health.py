"""/healthz: database, cache and task queue, 200 or 503, no personal data, no login, never cached."""

import datetime
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tests.factories import LeadFactory
from website import health

URL = "/healthz"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class BrokenCache(LocMemCache):
    """A cache whose server is gone."""

    def set(self, *args, **kwargs):
        raise ConnectionError("cache.internal:6379 refused the connection")

    def get(self, *args, **kwargs):
        raise ConnectionError("cache.internal:6379 refused the connection")


@pytest.mark.django_db
def test_healthy(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert body["checks"]["tasks"] == {"ok": True, "backend": "immediate", "ms": mock.ANY}
    assert isinstance(body["checks"]["database"]["ms"], float)
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_anonymous_and_signed_in_alike(client, admin_user):
    anonymous = client.get(URL)
    client.force_login(admin_user)
    signed_in = client.get(URL)
    assert anonymous.status_code == signed_in.status_code == 200
    assert "admin" not in signed_in.content.decode()


@pytest.mark.django_db
def test_head_works_and_post_is_refused(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


@pytest.mark.django_db
def test_database_down_answers_503_without_the_error_text(client):
    with mock.patch.object(
        health.connections[health.DEFAULT_DB_ALIAS],
        "cursor",
        side_effect=OperationalError('connection to server at "db.internal" failed: password for "crm"'),
    ):
        response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert "db.internal" not in response.content.decode()


@pytest.mark.django_db
def test_cache_down_answers_503(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "broken": {"BACKEND": f"{__name__}.BrokenCache"},
    }
    with mock.patch.object(health, "CACHE_ALIAS", "broken"):
        response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError", "ms": mock.ANY}
    assert body["checks"]["database"]["ok"] is True
    assert "cache.internal" not in response.content.decode()


@pytest.mark.django_db
def test_cache_returning_something_else_is_unhealthy(client):
    with mock.patch.object(LocMemCache, "get", return_value=None):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def make_task(status="READY", enqueued_minutes_ago=0, run_after=None):
    task = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": ["erika@muster.example"], "kwargs": {}},
        task_path="leadwizard.deliveries.tasks.deliver",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=enqueued_minutes_ago)
    )
    return task


@pytest.mark.django_db
def test_database_queue_counts_stuck_tasks_but_stays_200(client, settings):
    settings.TASKS = DATABASE_TASKS
    make_task(enqueued_minutes_ago=1)  # just enqueued: the worker has time
    make_task(status="SUCCESSFUL", enqueued_minutes_ago=60)
    make_task(run_after=timezone.now() + datetime.timedelta(hours=1), enqueued_minutes_ago=60)  # deferred

    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["tasks"] == {
        "ok": True,
        "backend": "database",
        "stuck": 0,
        "ms": mock.ANY,
    }

    make_task(enqueued_minutes_ago=20)
    make_task(run_after=timezone.now() - datetime.timedelta(minutes=30), enqueued_minutes_ago=60)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["tasks"]["ok"] is False
    assert body["checks"]["tasks"]["stuck"] == 2
    assert "erika" not in response.content.decode()


@pytest.mark.django_db
def test_unreadable_queue_table_answers_503(client, settings):
    settings.TASKS = DATABASE_TASKS
    with mock.patch.object(DBTaskResult.objects, "filter", side_effect=OperationalError("no such table")):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"]["error"] == "OperationalError"
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_no_personal_data_in_the_answer(client, admin_user):
    LeadFactory(name="Erika Mustermann", email="erika@muster.example")
    client.force_login(admin_user)
    content = client.get(URL).content.decode()
    for personal in ("Erika", "erika@", admin_user.username, admin_user.email):
        assert personal not in content
    assert set(client.get(URL).json()) == {"status", "checks"}


@pytest.mark.django_db
def test_not_cached_by_the_page_cache(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.get(URL)
    response = client.get(URL)
    assert "X-Page-Cache" not in response
