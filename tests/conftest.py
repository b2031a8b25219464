"""Shared pytest configuration: the demo site tree and a clean cache per test."""

import pytest
from django.core.cache import cache

from tests.factories import build_site


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits and Wagtail's site-root cache live in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_tree(db):
    """German home page with a magazine, their English translations, and both locales."""
    return build_site()
