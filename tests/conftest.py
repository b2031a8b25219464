"""Shared pytest configuration: migration data that survives transactional tests, the site tree, a clean cache."""

import pytest
from django.core.cache import cache

from tests.factories import build_site


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits and Wagtail's site-root cache live in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def site_tree(db, migration_data):
    """German home page with a magazine, their English translations, and both locales."""
    return build_site()
