"""Each app ships its own de and en catalogues: complete, current, compiled, and used.

The plugins carry theirs in ``articles/locale`` and ``leadwizard/locale`` (a site
that installs them gets German without copying anything); the host's
``locale/`` holds only the host's own strings.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
CATALOGUES = {
    "website": BASE / "locale",
    "articles": BASE / "articles/locale",
    "leadwizard": BASE / "leadwizard/locale",
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def catalogue(app, code):
    return polib.pofile(str(CATALOGUES[app] / code / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("app", CATALOGUES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(app, code):
    po = catalogue(app, code)
    assert len(po) > 20
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("app", CATALOGUES)
def test_placeholders_survive_translation(app, code):
    for entry in catalogue(app, code).translated_entries():
        if "%(" in entry.msgid:
            names = sorted(part.split(")")[0] for part in entry.msgid.split("%(")[1:])
            translated = entry.msgstr or entry.msgstr_plural[0]
            assert sorted(part.split(")")[0] for part in translated.split("%(")[1:]) == names, entry.msgid


@pytest.mark.parametrize("app", ["articles", "leadwizard"])
def test_plugins_ship_compiled_catalogues_that_match_their_sources(app):
    for code in LANGUAGES:
        po_path = CATALOGUES[app] / code / "LC_MESSAGES" / "django.po"
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        assert {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo} == {
            (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
            for e in catalogue(app, code).translated_entries()
        }


def _makemessages(copy, cwd, *extra):
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "de", "--no-obsolete", *extra],
        cwd=cwd,
        env={
            "DJANGO_SETTINGS_MODULE": "website.settings.dev",
            "PYTHONPATH": str(copy),
            "PATH": "/usr/bin:/bin",
        },
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_each_catalogue_contains_every_string_of_its_own_code_and_no_other(tmp_path):
    """makemessages on a copy of the project, per app, finds exactly the msgids the committed catalogues have."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".nox", ".git", "media", "node_modules", "*.sqlite3", "__pycache__", "test-artifacts", "docs",
        ".prod-local", "staticfiles", "private", "*.egg-info",
    )  # fmt: skip
    shutil.copytree(BASE, copy, ignore=ignore)
    for app in ("articles", "leadwizard"):
        _makemessages(copy, copy / app)
    _makemessages(
        copy, copy, "--ignore=tests", "--ignore=benchmarks", "--ignore=articles", "--ignore=leadwizard",
        "--ignore=scripts",
    )  # fmt: skip
    for app, folder in CATALOGUES.items():
        fresh_path = copy / folder.relative_to(BASE) / "de/LC_MESSAGES/django.po"
        fresh = {
            (entry.msgctxt, entry.msgid) for entry in polib.pofile(str(fresh_path)) if not entry.obsolete
        }
        committed = {(entry.msgctxt, entry.msgid) for entry in catalogue(app, "de") if not entry.obsolete}
        assert (app, sorted(fresh - committed, key=str)) == (app, [])
        assert (app, sorted(committed - fresh, key=str)) == (app, [])


def test_compiled_catalogues_are_used():
    with translation.override("de"):
        assert translation.gettext("Read on") == "Lesen Sie weiter"  # articles
        assert translation.gettext("Leads per source page") == "Leads pro Quellseite"  # leadwizard
        assert translation.gettext("Skip to content") == "Zum Inhalt springen"  # the host
    with translation.override("en"):
        assert translation.gettext("Read on") == "Read on"
