"""Production settings: every secret from the environment, refusal to run insecurely.

PostgreSQL comes from DATABASE_URL and Redis from REDIS_URL (both read in base.py),
static files are served by WhiteNoise with hashed, compressed names (run
``collectstatic`` at deploy), background work goes to the database task queue and
its worker (``manage.py db_worker``), and logs are JSON lines.
"""

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, DEVELOPMENT_SECRET_KEY, LOGGING, SECRET_KEY, STORAGES
from .env import env_bool, env_int, env_list, env_str


def secret_key_problem(key):
    """Why ``key`` is not fit for production, or None.

    The same rules as Django's security.W009 (``check --deploy``), so that a key
    this module accepts never makes the deploy check fail. The key itself never
    appears in the message: it would end up in logs.
    """
    if not key:
        return "SECRET_KEY is not set"
    if key == DEVELOPMENT_SECRET_KEY or key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"SECRET_KEY starts with {SECRET_KEY_INSECURE_PREFIX!r}, the mark of a development key"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"SECRET_KEY has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"SECRET_KEY has {len(set(key))} different characters, "
            f"fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
        )
    return None


DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=0).")
# Operator-facing and raised while settings load, before translations can work: not translated.
_problem = secret_key_problem(SECRET_KEY)
if _problem:
    raise ImproperlyConfigured(
        f"{_problem}. Production needs a random SECRET_KEY of at least {SECRET_KEY_MIN_LENGTH} characters "
        f"with at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, not starting with "
        f"{SECRET_KEY_INSECURE_PREFIX!r} (Django's security.W009). Generate one with: "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host names for production.")

SERVE_MEDIA = False
# A change made through another app server shows in this one's cached pages after at most a second.
PAGE_CACHE_LOCAL_SECONDS = env_int("PAGE_CACHE_LOCAL_SECONDS", 1)
# The same for the wizard's questionnaire, which each step and page with the wizard loaded.
LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS = env_int("LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS", 1)
# And the page of a wizard step, read for every step and reader's place.
LEADWIZARD_PAGE_LOCAL_SECONDS = env_int("LEADWIZARD_PAGE_LOCAL_SECONDS", 1)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole registered domain and all its subdomains to HTTPS in
    # browsers for months, beyond this app: the operator opts in with SECURE_HSTS_PRELOAD=1.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Wagtail's preview views send SAMEORIGIN themselves for the editor's preview panel.
X_FRAME_OPTIONS = "DENY"
# Leave /healthz reachable over plain HTTP: an app server can then be asked directly over
# its unix socket (curl --unix-socket), without nginx's X-Forwarded-Proto.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Keep database connections open between requests, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    **STORAGES,
    # Hashed names let browsers cache static files for ten years (WhiteNoise sends
    # "immutable" for them); collectstatic writes gzip copies (and Brotli ones when the
    # brotli package is installed), which WhiteNoise serves to browsers that accept them.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Emails and webhooks after a lead run in the worker, not in the reader's request.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
LOGGING = {**LOGGING, "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": LOG_FORMAT}}}
