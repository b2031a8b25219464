"""``manage.py compile_catalogues``: compile the .po catalogues to .mo files, or check that they are current.

Does what ``compilemessages`` does with polib (already installed with
wagtail-localize), so setup needs no GNU gettext. It compiles the host's
catalogues (``LOCALE_PATHS``) and those of the apps in this repository
(``articles/locale``, ``leadwizard/locale``). The plugins' ``.mo`` files are
committed, so that a wheel built from a clean checkout carries them; ``--check``
fails when one of them no longer matches its ``.po`` (CI runs it).
"""

import sys
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_folders(plugins_only=False):
    """The host's locale folders and those of installed apps that live in this repository."""
    base = Path(settings.BASE_DIR).resolve()
    # A virtualenv may live inside the project; installed packages are not ours to compile.
    installed = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    folders = [] if plugins_only else [Path(path) for path in settings.LOCALE_PATHS]
    for app_config in apps.get_app_configs():
        folder = Path(app_config.path).resolve() / "locale"
        if folder.is_dir() and base in folder.parents and not installed & set(folder.parents):
            folders.append(folder)
    return folders


def compiled(po_path):
    try:
        catalogue = polib.pofile(str(po_path))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {po_path}: {exc}") from exc
    with tempfile.NamedTemporaryFile(suffix=".mo") as target:
        catalogue.save_as_mofile(target.name)
        return Path(target.name).read_bytes()


class Command(BaseCommand):
    help = "Compile the .po catalogues of the host and of this repository's apps into .mo files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail when a .mo file is missing or outdated.",
        )

    def handle(self, *args, check=False, **options):
        stale = []
        count = 0
        # Only the plugins' compiled catalogues are committed; the host's are built by make.
        for folder in catalogue_folders(plugins_only=check):
            for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                data = compiled(po_path)
                count += 1
                if check:
                    if not mo_path.is_file() or mo_path.read_bytes() != data:
                        stale.append(str(mo_path))
                    continue
                mo_path.write_bytes(data)
                if options["verbosity"] > 1:
                    self.stdout.write(f"  {po_path}")
        if stale:
            raise CommandError(
                "Outdated or missing compiled catalogues (run make messages): " + ", ".join(stale)
            )
        self.stdout.write(f"{'Checked' if check else 'Compiled'} {count} catalogue(s).")
