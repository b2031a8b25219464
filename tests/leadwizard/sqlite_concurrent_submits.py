"""Readers finishing the wizard at the same moment, against an SQLite file with the project's settings.

Run by ``test_sqlite_concurrency.py`` in a process of its own, so that Django
builds the database connection from ``DATABASE_URL`` exactly as the host's
settings do. The database file must already be migrated.
Prints one JSON object: how many submits were answered with the confirmation,
how failed (and how), and how many leads the database holds.
"""

import json
import os
import sys
import threading
from collections import Counter

import django

READERS = int(os.environ.get("CONCURRENT_READERS", "8"))
SUBMITS_EACH = int(os.environ.get("SUBMITS_EACH", "5"))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.test")
    django.setup()
    from django.db import close_old_connections
    from django.test import Client

    from leadwizard.models import Lead
    from tests.factories import QuestionnaireFactory, VendorFactory, build_site, wizard_article
    from tests.utils import sent, submit_lead

    site = build_site()
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    page, block_id = wizard_article(site.index, questionnaire, slug="gleichzeitig")

    outcomes = Counter()
    start = threading.Barrier(READERS)

    def reader(number):
        # One address per reader: the submit rate limit is not what this measures.
        client = Client(REMOTE_ADDR=f"198.51.100.{number + 1}", raise_request_exception=False)
        start.wait()
        for _ in range(SUBMITS_EACH):
            try:
                response = submit_lead(client, page, block_id)
                outcomes["confirmed" if sent(response) else f"HTTP {response.status_code}"] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                outcomes[f"{type(exc).__name__}: {exc}"] += 1
        close_old_connections()

    threads = [threading.Thread(target=reader, args=(number,)) for number in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"outcomes": dict(outcomes), "leads": Lead.objects.count()}))


if __name__ == "__main__":
    sys.exit(main())
