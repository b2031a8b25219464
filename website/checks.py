"""Deployment checks (``manage.py check --deploy``) for what several app servers need to share."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.database, deploy=True)
def shared_database_and_cache(app_configs=None, **kwargs):
    """Warn when production runs on SQLite or with a cache that each process keeps for itself."""
    warnings = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        warnings.append(
            Warning(
                "The database is SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database: SQLite serves one machine and "
                "locks the whole database while a lead is saved.",
                id="website.W001",
            )
        )
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        warnings.append(
            Warning(
                "The cache lives in each process.",
                hint="Set REDIS_URL: rate limits, the page cache and its invalidation after publishing "
                "must be shared by all app server processes.",
                id="website.W002",
            )
        )
    return warnings
