"""Shared pytest configuration: the demo site tree and request helpers."""

import pytest

from tests.factories import build_site


@pytest.fixture
def site_tree(db):
    """German home page with a magazine, their English translations, and both locales."""
    return build_site()
