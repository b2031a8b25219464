"""Settings come from the environment; production refuses insecure values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from website.settings.env import env_bool, env_int, env_list

PROJECT_DIR = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50


def load_production(**env):
    """Import the production settings in a fresh interpreter; return (exit code, output)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="website.settings.production")
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=clean, capture_output=True, text=True
    )
    return result.returncode, result.stdout + result.stderr


def test_production_starts_with_secure_values():
    code, output = load_production(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="crm.example")
    assert code == 0, output
    assert "False ['crm.example'] True" in output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "crm.example"}, "SECRET_KEY"),
        (
            {
                "SECRET_KEY": "django-insecure-development-only-key-do-not-use-in-production",
                "ALLOWED_HOSTS": "crm.example",
            },
            "SECRET_KEY",
        ),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "crm.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "crm.example", "DEBUG": "1"}, "DEBUG"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_insecure_values(env, message):
    code, output = load_production(**env)
    assert code != 0
    assert "ImproperlyConfigured" in output
    assert message in output


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("NUMBER", "12")
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_bool("FLAG") is True
    assert env_bool("UNSET_FLAG", default=True) is True
    assert env_int("NUMBER", 3) == 12
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(Exception, match="FLAG"):
        env_bool("FLAG")
    monkeypatch.setenv("NUMBER", "many")
    with pytest.raises(Exception, match="NUMBER"):
        env_int("NUMBER", 3)


def test_database_url_selects_the_database():
    code = "import django; django.setup(); from django.db import connection; print(connection.vendor, connection.settings_dict['NAME'])"
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="website.settings.dev", DATABASE_URL="sqlite:////tmp/other.sqlite3"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "sqlite /tmp/other.sqlite3", result.stderr
    env.pop("DATABASE_URL")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == f"sqlite {PROJECT_DIR / 'db.sqlite3'}", result.stderr
