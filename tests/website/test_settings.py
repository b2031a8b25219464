"""Settings come from the environment; production refuses insecure values."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.utils import only_in_the_sqlite_pass
from website.settings.env import env_bool, env_int, env_list

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Each test runs Python with settings and databases of its own (the developer's DATABASE_URL is
# removed), never the test database: a run against another database (CI's PostgreSQL pass)
# would repeat the same half minute of work.
pytestmark = only_in_the_sqlite_pass(
    "the settings tests use settings and databases of their own; they run in the SQLite pass"
)
# Just what Django's security.W009 accepts: 50 characters, 5 different ones.
GOOD_KEY = "abcde" * 10


# Variables the production settings read; the developer's own values must not leak in.
PRODUCTION_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "TASKS_BACKEND",
    "MEDIA_STORAGE_BACKEND",
    "MEDIA_STORAGE_OPTIONS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "PAGE_CACHE_ENABLED",
    "LEADWIZARD_TRUSTED_PROXIES",
    "LEADWIZARD_TRUST_X_FORWARDED_FOR",
    # Set by the browser tests' conftest for Playwright; check --deploy rejects it (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
# A key like the ones get_random_secret_key() makes: 50 characters, letters, digits, symbols.
RANDOM_KEY = "v8#q!Zt2m@Lr5^Xw9&kP0*cN4(yB7)hJ3-sD6_fG1=uE8+aQ2%"
PRODUCTION_ENV = {
    "SECRET_KEY": RANDOM_KEY,
    "ALLOWED_HOSTS": "crm.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_with_settings(args, module="website.settings.production", **env):
    """Run Python with the settings module in a fresh interpreter; return (exit code, output)."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    result = subprocess.run(
        [sys.executable, *args], cwd=PROJECT_DIR, env=clean, capture_output=True, text=True
    )
    return result.returncode, result.stdout + result.stderr


def load_production(**env):
    """Import the production settings in a fresh interpreter; return (exit code, output)."""
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE)"
    return run_with_settings(["-c", code], **env)


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
        # What check --deploy would warn about (security.W009) is refused outright.
        ({"SECRET_KEY": RANDOM_KEY[:49], "ALLOWED_HOSTS": "crm.example"}, "49 characters, fewer than 50"),
        ({"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "crm.example"}, "1 different characters, fewer than 5"),
        ({"SECRET_KEY": "abcd" * 13, "ALLOWED_HOSTS": "crm.example"}, "4 different characters, fewer than 5"),
        (
            {"SECRET_KEY": "django-insecure-" + RANDOM_KEY, "ALLOWED_HOSTS": "crm.example"},
            "starts with 'django-insecure-'",
        ),
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


def test_refused_secret_keys_are_explained_without_showing_them():
    key = RANDOM_KEY[:40]
    code, output = load_production(SECRET_KEY=key, ALLOWED_HOSTS="crm.example")
    assert code != 0
    assert "at least 50 characters with at least 5 different ones" in output
    assert "security.W009" in output
    assert "secrets.token_urlsafe(50)" in output
    assert key not in output


@pytest.mark.parametrize("key", [GOOD_KEY, RANDOM_KEY, "django-insecure" + RANDOM_KEY])
def test_every_key_production_accepts_passes_the_deploy_check(key):
    code, output = run_with_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION_ENV, "SECRET_KEY": key}
    )
    assert code == 0, output
    assert "security.W009" not in output


def test_trusted_proxies_come_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.LEADWIZARD_TRUSTED_PROXIES)"
    _, output = run_with_settings(["-c", code], **PRODUCTION_ENV)
    assert output.strip().splitlines()[-1] == "[]"
    _, output = run_with_settings(
        ["-c", code], **PRODUCTION_ENV, LEADWIZARD_TRUSTED_PROXIES="unix, 10.0.0.0/8,"
    )
    assert output.strip().splitlines()[-1] == "['unix', '10.0.0.0/8']"


@pytest.mark.parametrize(
    ("env", "check_id"),
    [
        ({"LEADWIZARD_TRUSTED_PROXIES": "unix,127.0.0.1/8"}, "leadwizard.E002"),
        ({"LEADWIZARD_TRUST_X_FORWARDED_FOR": "1"}, "leadwizard.W001"),
    ],
)
def test_check_reports_trusted_proxy_mistakes(env, check_id):
    code, output = run_with_settings(
        ["manage.py", "check", "--fail-level", "WARNING"], **{**PRODUCTION_ENV, **env}
    )
    assert code != 0
    assert check_id in output
    assert "LEADWIZARD_TRUSTED_PROXIES" in output


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


def test_deploy_check_reports_nothing():
    code, output = run_with_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV
    )
    assert code == 0, output
    assert "System check identified no issues" in output


@pytest.mark.parametrize(
    ("env", "check_id"),
    [({"DATABASE_URL": "sqlite:///tmp/crm.sqlite3"}, "website.W001"), ({"REDIS_URL": ""}, "website.W002")],
)
def test_deploy_check_wants_a_shared_database_and_cache(env, check_id):
    code, output = run_with_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION_ENV, **env}
    )
    assert code != 0
    assert check_id in output


def test_deploy_check_still_fails_on_real_problems():
    code, output = run_with_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION_ENV,
        SECURE_SSL_REDIRECT="0",
    )
    assert code != 0
    assert "security.W008" in output


PRODUCTION_CHOICES = """
import json, logging, django
django.setup()
from django.conf import settings
handler = settings.LOGGING["handlers"]["console"]
print(json.dumps({
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "media": settings.STORAGES["default"],
    "formatter": settings.LOGGING["formatters"][handler["formatter"]],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "hsts": [settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS],
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "referrer": settings.SECURE_REFERRER_POLICY,
    "csp": "website.security.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE,
    "whitenoise": settings.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware")
        == settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
}))
logging.getLogger("django.request").warning("Not Found: %s", "/fehlt/")
"""


def production_choices(module="website.settings.production", **env):
    code, output = run_with_settings(["-c", PRODUCTION_CHOICES], module=module, **env)
    assert code == 0, output
    lines = output.strip().splitlines()
    return json.loads(lines[0]), lines[1:]


def test_production_uses_whitenoise_manifest_storage_json_logs_and_the_task_worker():
    choices, log_lines = production_choices(**PRODUCTION_ENV)
    assert choices["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert choices["media"] == {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}
    assert choices["formatter"] == {"()": "website.logging.JsonFormatter"}
    assert choices["tasks"] == "django_tasks_db.DatabaseBackend"
    assert choices["hsts"] == [31536000, True]
    assert choices["cookies"] == [True, True]
    assert choices["referrer"] == "strict-origin-when-cross-origin"
    assert choices["csp"] is True
    assert choices["whitenoise"] is True
    entry = json.loads(log_lines[-1])
    assert entry["logger"] == "django.request"
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Not Found: /fehlt/"


def test_log_format_and_media_storage_come_from_the_environment():
    choices, log_lines = production_choices(
        **PRODUCTION_ENV,
        LOG_FORMAT="text",
        MEDIA_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        MEDIA_STORAGE_OPTIONS='{"base_url": "https://media.crm.example/"}',
    )
    assert choices["formatter"]["format"].startswith("{asctime}")
    assert choices["media"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"base_url": "https://media.crm.example/"},
    }
    assert log_lines[-1].endswith("WARNING django.request: Not Found: /fehlt/")
    code, output = load_production(**PRODUCTION_ENV, LOG_FORMAT="xml")
    assert code != 0
    assert "LOG_FORMAT" in output
    code, output = load_production(**PRODUCTION_ENV, MEDIA_STORAGE_OPTIONS="bucket=crm")
    assert code != 0
    assert "MEDIA_STORAGE_OPTIONS" in output


def test_development_keeps_plain_static_files_and_text_logs():
    choices, _ = production_choices(module="website.settings.dev")
    assert choices["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert choices["formatter"]["format"].startswith("{asctime}")
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


SERVE_HASHED = """
import json, django
django.setup()
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="crm.example")
url = static("wagtailadmin/css/core.css")
hashed = client.get(url, secure=True)
plain = client.get("/static/wagtailadmin/css/core.css", secure=True, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({"url": url, "hashed": [hashed.status_code, hashed["Cache-Control"]],
                  "plain": [plain.status_code, plain["Cache-Control"], plain.get("Content-Encoding")]}))
"""


def test_collectstatic_hashes_and_compresses_every_file_and_whitenoise_serves_them(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)}
    code, output = run_with_settings(["manage.py", "collectstatic", "--noinput", "-v", "0"], **env)
    assert code == 0, output
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "wagtailadmin/css/core.css",
        "wagtail_localize/js/wagtail-localize.js",
        "leadwizard/wizard.js",
        "website/css/site.css",
    ):
        assert manifest[name] != name
        assert (tmp_path / manifest[name]).exists()
        assert (tmp_path / f"{manifest[name]}.gz").exists()

    code, output = run_with_settings(["-c", SERVE_HASHED], **env)
    assert code == 0, output
    served = json.loads(output.strip().splitlines()[-1])
    assert served["url"] == "/static/" + manifest["wagtailadmin/css/core.css"]
    # Hashed names never change their content: cached for ten years.
    assert served["hashed"] == [200, "max-age=315360000, public, immutable"]
    assert served["plain"] == [200, "max-age=60, public", "gzip"]


PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="crm.example")
print(client.get("/healthz").status_code, client.get("/robots.txt").status_code)
"""


def test_load_balancers_reach_healthz_over_plain_http(tmp_path):
    code, output = run_with_settings(
        ["-c", PROBE], **{**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    )
    assert code == 0, output
    health, robots = next(line for line in output.splitlines() if re.fullmatch(r"\d{3} \d{3}", line)).split()
    # The empty database has no task table: unhealthy, but answered rather than redirected.
    assert health == "503"
    assert robots == "301"
