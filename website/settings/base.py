"""Settings shared by every environment; values that differ come from the environment."""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

# Only ever used outside production; production.py refuses to start with it.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105 - refused by production.py
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "website",
    "articles",
    "leadwizard",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions, locale and CSRF do work for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML when gunicorn answers without nginx in front. Below WhiteNoise, which
    # serves static files pre-compressed itself; above every middleware that reads or writes
    # the body (the page cache stores and fills plain HTML), so fresh and cached pages alike
    # are compressed last. BREACH: since Django 4.2 the middleware pads each response's gzip
    # header with 0-99 random bytes ("Heal The Breach", GZipMiddleware.max_random_bytes), and
    # CSRF tokens are masked per response, so the length of a page leaks no secret.
    "django.middleware.gzip.GZipMiddleware",
    # Before anything reads a request body.
    "website.security.RequestCharsetMiddleware",
    "website.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After everything that must touch a cached page too (security headers, locale,
    # the CSRF cookie); before the rest, which a cached page does not need.
    "website.page_cache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "website.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "website.wsgi.application"

# One variable picks the database; the default is an SQLite file so that a new
# user needs no server.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite takes concurrent writers one at a time. In its default "deferred" mode a
    # transaction that reads first and writes later cannot wait for the lock and fails
    # with "database is locked" at once: concurrent wizard submits lost leads that way.
    # IMMEDIATE takes the write lock at BEGIN, where the busy timeout lets it wait;
    # WAL lets readers go on while one request writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's backend, reusing its Redis clients (website/cache.py says why).
            "BACKEND": "website.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "crmportal"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "crmportal",
        }
    }

# Fragments of pages that only change on publish (articles.fragment_cache, Django's {% cache %}):
# in the default cache unless turned off, e.g. to measure pages without them (benchmarks/pages.py).
if not env_bool("FRAGMENT_CACHE_ENABLED", True):
    CACHES["template_fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: German is the source language and is served without a
# URL prefix; English lives under /en/.
LANGUAGE_CODE = "de"
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
# Let Django itself serve MEDIA_URL (development and tests, never production).
SERVE_MEDIA = DEBUG
# Uploaded images and documents. The default keeps them under MEDIA_ROOT, which every
# app server must share (a network volume). For object storage install a storage
# package and name its class here, with its options as a JSON object, e.g. with
# django-storages: MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage and
# MEDIA_STORAGE_OPTIONS={"bucket_name": "crm-media", "region_name": "eu-central-1"}
# (credentials from the provider's usual environment variables, not from here).
MEDIA_STORAGE_BACKEND = env_str("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
try:
    MEDIA_STORAGE_OPTIONS = json.loads(env_str("MEDIA_STORAGE_OPTIONS", "") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured("MEDIA_STORAGE_OPTIONS must be a JSON object.") from exc
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE_BACKEND, "OPTIONS": MEDIA_STORAGE_OPTIONS},
    # Plain names outside production, so that no collectstatic is needed; production.py
    # switches to hashed, compressed files.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: the console backend unless configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (one file per message).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "private" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CRM-Portal <noreply@crm-portal.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Background work runs through Django's tasks API; immediately unless a
# deployment configures a worker-backed backend.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# Wagtail
WAGTAIL_SITE_NAME = env_str("WAGTAIL_SITE_NAME", "CRM-Vergleich")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILLOCALIZE_JQUERY_ENABLED = False
# No Gravatar: it would send a hash of each editor's e-mail address to a third party on
# every admin page (and the Content-Security-Policy only allows our own images).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Lead wizard plugin (see leadwizard/README section in the project README)
LEADWIZARD_SALES_EMAIL = env_str("LEADWIZARD_SALES_EMAIL", "vertrieb@crm-portal.example")
# The home page holds the ranking explanation block.
LEADWIZARD_RANKING_EXPLANATION_URL = "/#ranking-explanation"
LEADWIZARD_EXPORT_ROOT = Path(env_str("LEADWIZARD_EXPORT_ROOT", str(BASE_DIR / "private" / "exports")))
LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD = env_int("LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD", 50_000)
LEADWIZARD_EXPORT_EXPIRY_HOURS = env_int("LEADWIZARD_EXPORT_EXPIRY_HOURS", 24)
LEADWIZARD_DELIVERY_MAX_ATTEMPTS = env_int("LEADWIZARD_DELIVERY_MAX_ATTEMPTS", 6)
LEADWIZARD_DELIVERY_BACKOFF_SECONDS = env_int("LEADWIZARD_DELIVERY_BACKOFF_SECONDS", 60)
LEADWIZARD_WEBHOOK_TIMEOUT = env_int("LEADWIZARD_WEBHOOK_TIMEOUT", 5)
# Webhooks call only public addresses; hosts of your own network that they may call anyway.
LEADWIZARD_WEBHOOK_ALLOWED_HOSTS = env_list("LEADWIZARD_WEBHOOK_ALLOWED_HOSTS", [])
# A delivery being attempted is left alone this long (longer than EMAIL_TIMEOUT and the webhook timeout).
LEADWIZARD_DELIVERY_LEASE_SECONDS = env_int("LEADWIZARD_DELIVERY_LEASE_SECONDS", 300)
LEADWIZARD_RETENTION_DAYS = env_int("LEADWIZARD_RETENTION_DAYS", 730)
# Proxies the operator runs (IP addresses, CIDR networks, "unix" for nginx on a unix socket):
# only from them is X-Forwarded-For read, right to left, for the rate limits (leadwizard/wizard/protection.py).
LEADWIZARD_TRUSTED_PROXIES = env_list("LEADWIZARD_TRUSTED_PROXIES", [])
if env_str("LEADWIZARD_TRUST_X_FORWARDED_FOR") is not None:
    # Replaced by LEADWIZARD_TRUSTED_PROXIES; passed on so that the leadwizard.W001 check names it.
    LEADWIZARD_TRUST_X_FORWARDED_FOR = env_str("LEADWIZARD_TRUST_X_FORWARDED_FOR")
# Per reader (client address): wizard steps and final submits per window of seconds.
LEADWIZARD_STEP_RATE_LIMIT = (
    env_int("LEADWIZARD_STEP_RATE_LIMIT", 120),
    env_int("LEADWIZARD_STEP_RATE_WINDOW", 600),
)
LEADWIZARD_SUBMIT_RATE_LIMIT = (
    env_int("LEADWIZARD_SUBMIT_RATE_LIMIT", 5),
    env_int("LEADWIZARD_SUBMIT_RATE_WINDOW", 3600),
)
# A lead finished faster than this after the first answer is marked as suspected spam (and kept).
LEADWIZARD_MIN_SECONDS = env_int("LEADWIZARD_MIN_SECONDS", 5)
# Each process keeps a wizard's questionnaire and page this many seconds (production 1), and the markup
# of questions nobody has answered yet (leadwizard/wizard/questionnaires.py, pages.py, markup.py).
LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS = env_int("LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS", 0)
LEADWIZARD_PAGE_LOCAL_SECONDS = env_int("LEADWIZARD_PAGE_LOCAL_SECONDS", 0)
LEADWIZARD_QUESTION_MARKUP_ENTRIES = env_int("LEADWIZARD_QUESTION_MARKUP_ENTRIES", 512)

# Page cache for anonymous readers (website/page_cache.py)
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_ALIAS = "default"
# Entries are kept per release, so a deploy never serves pages the previous code rendered
# (website/page_cache.py). Empty: a fingerprint of the installed code; a deployment may
# set the commit instead.
PAGE_CACHE_RELEASE = env_str("PAGE_CACHE_RELEASE", "")
# Each process keeps the entries it served last for this many seconds before asking Redis again
# (website/page_cache.py); 0: always ask. Production sets 1.
PAGE_CACHE_LOCAL_SECONDS = env_int("PAGE_CACHE_LOCAL_SECONDS", 0)
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 64)
# Hidden inputs filled per reader in cached pages (the CSRF token always is): the wizard
# records where a reader came from, which differs for every reader of one cached page.
PAGE_CACHE_PER_REQUEST_INPUTS = {"leadwizard-referrer": "referrer"}
# Requests with any other query parameter are served fresh: they would fill the
# cache with one entry per click id.
PAGE_CACHE_QUERY_PARAMETERS = env_list(
    "PAGE_CACHE_QUERY_PARAMETERS",
    ["page", "topic", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"],
)
# Saving or deleting one of these makes every cached page outdated (pages themselves
# invalidate on publish, unpublish, move and delete).
PAGE_CACHE_INVALIDATE_ON = [
    "articles.Author",
    "articles.Topic",
    "leadwizard.Questionnaire",
    "leadwizard.Vendor",
    "wagtailimages.Image",
    "wagtailcore.Site",
    "wagtailcore.Locale",
    "wagtailcore.PageViewRestriction",
]

# Articles plugin
ARTICLES_RELATED_COUNT = env_int("ARTICLES_RELATED_COUNT", 3)
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 10)

# "json" writes one JSON object per line (website/logging.py), the production default.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {"()": "website.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Every finished background task and page publish is logged at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # runserver's access log, in the same format as everything else.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Content-Security-Policy (website/security.py), in every environment so that tests
# and development meet the policy production enforces. Our pages load scripts and
# styles only from files: no inline script, no inline style, no eval.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
# The Wagtail 8 admin and wagtail-localize are not CSP-clean (wagtail/wagtail#1288),
# so only under /admin/ may scripts and styles be inline: the page editor's InlinePanels,
# the date filters of the leads listing and the translation editor run inline <script>s,
# the editor's vendor.js inserts <style> elements, and our funnel report uses style
# attributes. Image uploads preview blob: URLs (wagtail/wagtail#12368). No 'unsafe-eval':
# nothing in the admin needs it (tests/e2e/test_csp.py checks the admin in Chromium).
CONTENT_SECURITY_POLICY_ADMIN = {
    **CONTENT_SECURITY_POLICY,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CONTENT_SECURITY_POLICY_REPORT_ONLY", False)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
