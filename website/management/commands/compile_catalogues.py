"""``manage.py compile_catalogues``: compile the .po catalogues in LOCALE_PATHS to .mo files.

Does what ``compilemessages`` does for the project's own catalogues, with polib
(already installed with wagtail-localize), so setup needs no GNU gettext.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into its .mo file (no gettext tools needed)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"Cannot read {po_path}: {exc}") from exc
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"  {po_path}")
        self.stdout.write(f"Compiled {compiled} catalogue(s).")
