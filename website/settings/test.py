"""Test settings: fast hashing, local memory cache, immediate tasks, captured mail."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Files on disk in a throwaway folder, so the browser tests' live server can serve images.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="crmportal-media-"))
SERVE_MEDIA = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic before tests: WhiteNoise looks files up per request instead of
# scanning a STATIC_ROOT that does not exist (and warning about it).
WHITENOISE_AUTOREFRESH = True
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Off for most tests, which change pages without publishing; tests/website/test_page_cache.py turns it on.
PAGE_CACHE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
LEADWIZARD_EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="leadwizard-exports-"))
LEADWIZARD_DELIVERY_BACKOFF_SECONDS = 0
