"""Write ahead the CSV export fields of every lead that lacks current ones (``leadwizard.exports.prepared``)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from leadwizard.exports.columns import export_language
from leadwizard.exports.prepared import prepare_export_rows, prepares


class Command(BaseCommand):
    help = (
        "Write ahead the CSV export fields of every lead that has none, or none that are current, in the "
        "given languages, so that large CSV exports copy them. Safe to run at any time (after deploying, "
        "from cron): it writes only what is missing. PostgreSQL only; elsewhere it does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            action="append",
            default=[],
            help="An export language (one of LANGUAGES); repeat for several. Default: LANGUAGE_CODE.",
        )
        parser.add_argument("--database", default="default", help="The database alias. Default: default.")

    def handle(self, *args, language, database, **options):
        if not prepares(connections[database]):
            self.stdout.write(
                "Nothing to do: export fields are prepared on PostgreSQL with a UTF-8 database, "
                "with LEADWIZARD_EXPORT_PREPARED_ROWS on."
            )
            return
        try:
            languages = [export_language(code) for code in language or [settings.LANGUAGE_CODE]]
        except ValueError as error:
            raise CommandError(error) from None
        for code in dict.fromkeys(languages):
            started = time.monotonic()
            written = prepare_export_rows(code, using=database)
            self.stdout.write(f"{code}: {written} leads prepared in {time.monotonic() - started:.1f} s")
