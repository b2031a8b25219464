"""The de and en catalogues are complete, current and used by the site."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def catalogue(code):
    return polib.pofile(str(LOCALE_DIR / code / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(code):
    po = catalogue(code)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert len(po) > 50
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_survive_translation(code):
    for entry in catalogue(code).translated_entries():
        for placeholder in ("%(",):
            if placeholder in entry.msgid:
                names = sorted(part.split(")")[0] for part in entry.msgid.split("%(")[1:])
                translated = entry.msgstr or entry.msgstr_plural[0]
                assert sorted(part.split(")")[0] for part in translated.split("%(")[1:]) == names, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalogues_contain_every_string_in_the_code(tmp_path):
    """makemessages on a copy of the project finds no msgid the committed catalogues lack."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv",
        ".git",
        "media",
        "node_modules",
        "*.sqlite3",
        "__pycache__",
        "test-artifacts",
        "docs",
        ".prod-local",
        "staticfiles",
        "private",
    )
    shutil.copytree(base, copy, ignore=ignore)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "de",
            "--no-obsolete",
            "--ignore=tests",
            "--ignore=benchmarks",
            "--ignore=*.egg-info",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {
        (entry.msgctxt, entry.msgid) for entry in polib.pofile(str(copy / "locale/de/LC_MESSAGES/django.po"))
    }
    committed = {(entry.msgctxt, entry.msgid) for entry in catalogue("de")}
    assert sorted(fresh - committed, key=str) == []


def test_compiled_german_catalogue_is_used():
    with translation.override("de"):
        assert translation.gettext("Read on") == "Lesen Sie weiter"
        assert translation.gettext("Read also") == "Lesen Sie auch"
    with translation.override("en"):
        assert translation.gettext("Read on") == "Read on"
