"""Shared pytest configuration: migration data that survives transactional tests, the site tree, a clean cache."""

import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import build_site, find_site


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits and Wagtail's site-root cache live in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test database; on SQLite a file copy of it is kept as it is right after migrating.

    Tests that need a database in a process of their own (``migrated_sqlite_file``)
    copy that file instead of migrating again, which takes seconds.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="crmportal-migrated-"))
        with django_db_blocker.unblock():
            connection.ensure_connection()
            target = sqlite3.connect(folder / "migrated.sqlite3")
            connection.connection.backup(target)
            target.close()
        request.config.stash[MIGRATED_SQLITE] = folder / "migrated.sqlite3"


MIGRATED_SQLITE = pytest.StashKey[Path]()


@pytest.fixture
def migrated_sqlite_file(request, django_db_setup, tmp_path):
    """A migrated SQLite database file of its own for this test (SQLite runs only)."""
    source = request.config.stash.get(MIGRATED_SQLITE, None)
    if source is None:
        pytest.skip("needs the SQLite test database (this run uses another database)")
    target = tmp_path / "db.sqlite3"
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    return target


@pytest.fixture(scope="session")
def migration_baseline(django_db_setup, django_db_blocker):
    """A copy of what migrations created: content types, permissions, locale, root page and collection, groups."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page

    with django_db_blocker.unblock():
        objects = [
            *ContentType.objects.all(),
            *Permission.objects.all(),
            *Locale.objects.all(),
            *Collection.objects.all(),
            *Page.objects.filter(depth=1),
            *Group.objects.all(),
            *GroupCollectionPermission.objects.all(),
            *GroupPagePermission.objects.all(),
        ]
        return serializers.serialize("json", objects)


@pytest.fixture
def migration_data(migration_baseline):
    """Put the migration data back when a transactional test before this one emptied the tables.

    Django's serialized rollback would do this, but it keeps its copy on the
    connection object, which Playwright's greenlet switching can replace; so
    the suite keeps its own copy. Content types and permissions come back with
    the flush, but with other ids than the copy refers to, so they are replaced.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from wagtail.models import Collection, Page

    if not Collection.objects.exists():
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        for obj in serializers.deserialize("json", migration_baseline):
            obj.save()
        ContentType.objects.clear_cache()
        # Only the root came back, not the page that was below it.
        Page.objects.filter(depth=1).update(numchild=0)


@pytest.fixture(scope="session")
def committed_site_tree(request, django_db_setup, django_db_blocker):
    """The site tree, built once per session and committed, so that each test only reads it back.

    Building it (pages, revisions, translations) costs a quarter of a second, and
    hundreds of tests use it. Each test's changes still roll back with its
    transaction; pytest-django runs transactional tests, which empty the tables,
    after all the others, and ``site_tree`` builds the tree again for them.
    """
    with django_db_blocker.unblock():
        build_site()
    request.config.stash[COMMITTED_DATA] = True


COMMITTED_DATA = pytest.StashKey[bool]()


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Empty the database once before the first transactional test when committed data is in it.

    Transactional tests expect the empty database Django leaves after each of them
    (and serialized rollback loads its rows into it); the committed site tree
    would collide with that.
    """
    if item.config.stash.get(COMMITTED_DATA, False) and _is_transactional(item):
        from django.core.management.color import no_style
        from django.db import connection, transaction
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            # Completely, for the serialized rows (or migration_data) to be loaded into, but
            # without restarting id sequences: those rows come back with their ids, and a
            # restarted sequence would hand the same ids out again.
            tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
            statements = connection.ops.sql_flush(
                no_style(), tables, reset_sequences=False, allow_cascade=True
            )
            with transaction.atomic():
                connection.ops.execute_sql_flush(statements)
        item.config.stash[COMMITTED_DATA] = False


@pytest.fixture
def site_tree(db, migration_data, committed_site_tree):
    """German home page with a magazine, their English translations, and both locales."""
    return find_site() or build_site()
