"""Fixtures of the lead wizard's tests."""

import pytest

SALES_INBOX = "vertrieb@crm-portal.example"


@pytest.fixture(autouse=True)
def sales_inbox(settings):
    """The site's sales inbox: most tests are about a site that has one (the plugin has no default)."""
    settings.LEADWIZARD_SALES_EMAIL = SALES_INBOX
    return SALES_INBOX


@pytest.fixture(autouse=True)
def immediate_retries(settings):
    """A failed delivery is due again at once, so that a test can run the retry right away."""
    settings.LEADWIZARD_DELIVERY_BACKOFF_SECONDS = 0
