"""The README's install steps, followed literally on a new ``wagtail start`` site, with the wheel we build.

The steps are read from README.md, from the section "Adding the plugins to a
Wagtail site": each code block there follows an ``<!-- install: ACTION -->``
comment that says what to do with it (``run`` the commands, ``append`` to a file,
``write`` a file). The wheel is built from this checkout and installed into an
environment of its own; the other packages come from the project's environment,
so nothing is downloaded. No setting of the demo host is used: after the
steps, ``smoke_site.py`` runs the wizard, the deliveries, an export and an
article in that site.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.utils import only_in_the_sqlite_pass

ROOT = Path(__file__).resolve().parents[2]

# The new sites have databases of their own: a run against another database (CI's PostgreSQL
# pass) would repeat the same minute of work.
pytestmark = only_in_the_sqlite_pass(
    "the install tests build their own SQLite sites; they run in the SQLite pass"
)
DISTRIBUTION = "wagtail-crm-portal"
STEP = re.compile(r"<!-- install: (\w+)(?: ([^ ]+))? -->\n```\w*\n(.*?)```", re.DOTALL)


def install_steps():
    """The README section's steps as (action, target, text), in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding the plugins to a Wagtail site", 1)[1].split("\n## ", 1)[0]
    return [(action, target, text) for action, target, text in STEP.findall(section)]


def test_the_readme_has_install_steps():
    actions = [action for action, _target, _text in install_steps()]
    assert actions.count("run") >= 2 and "append" in actions and "write" in actions


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The distribution's wheel, built from a copy of what the build reads (setuptools writes into its source)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("articles", "leadwizard"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (path,) = out.glob("wagtail_crm_portal-*.whl")
    return path


def test_the_wheel_holds_only_the_plugins(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "articles",
        "leadwizard",
        wheel.name.split("-py3")[0] + ".dist-info",
    }
    for app in ("articles", "leadwizard"):
        for code in ("de", "en"):
            assert f"{app}/locale/{code}/LC_MESSAGES/django.mo" in names
    assert "leadwizard/templates/leadwizard/wizard_block.html" in names
    assert "leadwizard/static/leadwizard/wizard.js" in names


@pytest.fixture(scope="module")
def environment(tmp_path_factory, wheel):
    """A new Python environment with the wheel installed, as a site's own virtualenv would be."""
    base = tmp_path_factory.mktemp("environment")
    venv.EnvBuilder(with_pip=False).create(base)
    python = base / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Wagtail, Django and the rest from this environment, as a plain path: its .pth files (our own
    # editable install among them) are not read, so the plugins can only come from the wheel.
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # The README's "pip install": the wheel built here (this environment has no pip of its own).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site_packages),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return {"python": python, "site_packages": site_packages}


def new_site(environment, tmp_path):
    """``wagtail start mysite``: a brand-new site, before any step."""
    run("wagtail start mysite", tmp_path, environment["python"])
    return tmp_path / "mysite"


def smoke(project, environment):
    """The smoke run's report (smoke_site.py) in ``project``."""
    script = (Path(__file__).parent / "smoke_site.py").read_text(encoding="utf-8")
    result = run(f"python manage.py shell -c {shlex.quote(script)}", project, environment["python"])
    report = json.loads(result.stdout.split("SMOKE ", 1)[1])
    assert all(str(environment["site_packages"]) in path for path in report["plugin_files"]), report
    return report


def follow(project, environment, steps):
    for action, target, text in steps:
        if action == "run":
            for line in text.strip().splitlines():
                if line.startswith("pip install"):
                    assert DISTRIBUTION in line  # the wheel is installed in ``environment`` already
                    continue
                run(line, project, environment["python"])
        elif action == "append":
            with open(project / target, "a", encoding="utf-8") as handle:
                handle.write("\n" + text)
        elif action == "write":
            (project / target).parent.mkdir(parents=True, exist_ok=True)
            (project / target).write_text(text, encoding="utf-8")
        else:
            pytest.fail(f"unknown install action {action!r}")


def run(command, cwd, python):
    """A README command as the reader runs it, in the new environment."""
    words = shlex.split(command)
    if words[0] == "python":
        words = [str(python), *words[1:]]
    elif words[0] == "wagtail":
        words = [str(python), "-c", "from wagtail.bin.wagtail import main; main()", *words[1:]]
    # The new site's own settings and database (manage.py picks them), nothing of this run's.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    result = subprocess.run(words, cwd=cwd, env=env, check=False, capture_output=True, text=True)
    if result.returncode:
        pytest.fail(f"{command[:80]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result


def test_a_new_wagtail_site_follows_the_readme_and_everything_works(environment, tmp_path):
    project = new_site(environment, tmp_path)
    follow(project, environment, install_steps())
    report = smoke(project, environment)
    assert report["apps"] == ["articles", "leadwizard"]
    assert report["home"] == 200 and report["wizard_on_home"]
    assert report["matches"] == "1"
    assert "/leadwizard/step/" in report["step_action"]
    assert report["submit"] == 302 and "leadwizard-done=" in report["submit_location"]
    assert report["leads"] == 1 and report["lead_status"] == "new"
    assert report["deliveries"] == [["reader_confirmation", "succeeded"], ["sales_notification", "succeeded"]]
    assert report["mail_to"] == ["erika@muster.example", "vertrieb@example.com"]
    assert report["export"] == 200 and report["export_has_lead"]
    assert report["article"] == 200 and report["article_text"] and report["index"] == 200
    assert report["article_offers_wizard"]


def test_leadwizard_alone_on_a_single_language_site(environment, tmp_path):
    """No articles, no wagtail-localize, the site's own language (en-us): the README without articles."""
    project = new_site(environment, tmp_path)
    steps = [
        (action, target, text.replace('"articles", ', "").replace('"wagtail.contrib.routable_page", ', ""))
        for action, target, text in install_steps()
    ]
    follow(project, environment, steps)
    report = smoke(project, environment)
    assert report["apps"] == ["leadwizard"]
    assert report["submit"] == 302 and "leadwizard-done=" in report["submit_location"]
    assert report["leads"] == 1 and report["lead_status"] == "new"
    assert report["mail_to"] == ["erika@muster.example", "vertrieb@example.com"]
    assert report["export"] == 200 and report["export_has_lead"]


def test_articles_alone_without_the_wizard(environment, tmp_path):
    """Articles without leadwizard: pages render, the editor works, no wizard block, no migration to make."""
    project = new_site(environment, tmp_path)
    settings_file = project / "mysite" / "settings" / "base.py"
    with open(settings_file, "a", encoding="utf-8") as handle:
        handle.write('\nINSTALLED_APPS = ["articles", "wagtail.contrib.routable_page", *INSTALLED_APPS]\n')
    run("python manage.py migrate", project, environment["python"])
    checked = run("python manage.py makemigrations --check --dry-run", project, environment["python"])
    assert "No changes detected" in checked.stdout
    report = smoke(project, environment)
    assert report["apps"] == ["articles"]
    assert report["article"] == 200 and report["article_text"] and report["index"] == 200
    assert report["article_editor"] == 200
    assert not report["article_offers_wizard"]
