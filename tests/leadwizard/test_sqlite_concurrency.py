"""On the embedded default database, readers who submit at the same moment all keep their lead.

Before SQLite ran in IMMEDIATE transaction mode with WAL and a busy timeout,
8 readers submitting 5 times each lost 13 to 27 of their 40 leads to
"database is locked" (HTTP 500). The readers run as threads in a process of
their own against a real SQLite file, configured by the project's settings.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Only so that pytest-django sets the test database up; the readers use a file of their own.
pytestmark = pytest.mark.django_db

READERS, SUBMITS_EACH = 8, 5


def test_concurrent_submits_on_sqlite_lose_no_lead(migrated_sqlite_file):
    env = {
        **os.environ,
        # The settings this run uses (the minimal host or the demo), with the file as its database.
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": f"sqlite:///{migrated_sqlite_file}",
        "CONCURRENT_READERS": str(READERS),
        "SUBMITS_EACH": str(SUBMITS_EACH),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.leadwizard.sqlite_concurrent_submits"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"outcomes": {"confirmed": READERS * SUBMITS_EACH}, "leads": READERS * SUBMITS_EACH}


def test_a_site_on_sqlite_in_deferred_mode_is_warned(settings):
    from django.db import connections

    from leadwizard.checks import sqlite_keeps_concurrent_leads

    connection = connections["default"]
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert sqlite_keeps_concurrent_leads(databases=["default"]) == []
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    try:
        options.pop("transaction_mode")
        assert [message.id for message in sqlite_keeps_concurrent_leads(databases=["default"])] == [
            "leadwizard.W002"
        ]
    finally:
        options.clear()
        options.update(saved)
