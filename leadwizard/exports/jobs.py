"""Running lead exports: the background task, the private export folder and the audit-log record.

Exports of more than ``LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD`` leads run as the
task ``run_export_job``: it writes the file into ``LEADWIZARD_EXPORT_ROOT`` (never
under MEDIA_ROOT or STATIC_ROOT: the files hold personal data and are only served
by the permission-checked download view) and keeps its progress on the
``ExportJob``. Every export, direct or in the background, is one ``ExportJob`` and
one audit-log entry (``LOG_EXPORT``) against it.
"""

import logging
import os
import re
import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.utils import timezone, translation
from wagtail.log_actions import log

from ..audit import LOG_EXPORT
from ..background import task
from ..conf import app_settings
from ..models import ExportJob
from .columns import columns_for
from .filters import filter_leads
from .presets import select_columns
from .streaming import iter_csv
from .workbooks import write_xlsx

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
# Seconds between two writes of a running export's progress.
PROGRESS_INTERVAL = 1.0
# Names of export files in the export folder, and of files still being written.
FILE_NAME_RE = re.compile(r"^leads-\d+-[0-9a-f]{16}\.(csv|xlsx)$")
PARTIAL_NAME_RE = re.compile(r"^\.partial-leads-\d+-[0-9a-f]{16}\.(csv|xlsx)\.[A-Za-z0-9_]+$")
# Query parameters of the listing that are not filters.
NOT_FILTERS = frozenset({"p", "export", "ordering", "_w_filter_fragment"})


def export_root():
    """The private folder for export files, created (mode 0700) when missing.

    Refuses a folder inside MEDIA_ROOT or STATIC_ROOT, where the web server
    would hand the files to anyone who guesses a name.
    """
    root = Path(app_settings.EXPORT_ROOT).resolve()
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = getattr(settings, name, None)
        if public:
            public = Path(public).resolve()
            if root == public or public in root.parents:
                raise ImproperlyConfigured(
                    f"LEADWIZARD_EXPORT_ROOT ({root}) must not be inside {name}: exports hold personal data."
                )
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def job_file(job):
    """The path of a job's file, or None when it has none (or an unexpected name)."""
    if not job.file_name or not FILE_NAME_RE.match(job.file_name):
        return None
    return export_root() / job.file_name


def filter_params(query):
    """The listing's filters and search from a query (``request.GET``), without paging and ordering."""
    params = QueryDict(mutable=True)
    for key, values in query.lists():
        if key not in NOT_FILTERS:
            params.setlist(key, values)
    return params


def params_to_json(params):
    """Filters as stored on ``ExportJob.filters``: ``{name: [values]}``."""
    return {key: list(values) for key, values in params.lists()}


def params_from_json(data):
    params = QueryDict(mutable=True)
    for key, values in (data or {}).items():
        params.setlist(key, [str(value) for value in (values if isinstance(values, list) else [values])])
    return params


def write_export(queryset, format, fileobj, columns=None, progress=None, dialect=None, language=None):
    """Write the leads of ``queryset`` as ``format`` ("csv" or "xlsx") to the binary file ``fileobj``.

    ``columns``: ``[(key, header), ...]`` (default: every column, headers in
    ``language``); ``dialect``: a key of ``CSV_DIALECTS`` (default: ``iter_csv``'s);
    ``language``: of headers and values (default: the active language).
    """
    columns = columns_for(queryset, language=language) if columns is None else columns
    if format == "csv":
        options = {"language": language} if dialect is None else {"language": language, "dialect": dialect}
        for block in iter_csv(queryset, columns, progress=progress, **options):
            fileobj.write(block)
    elif format == "xlsx":
        write_xlsx(queryset, fileobj, columns, progress=progress, language=language)
    else:
        raise ValueError(f"Unknown export format {format!r}")


def export_choice(columns=None, dialect=None, language=None):
    """A marketer's choice for an export as JSON-ready data: column keys, CSV dialect and language.

    What a background job carries (as its task's arguments) and what the audit log
    records; only what was chosen, so a default export records nothing extra.
    """
    choice = {}
    if columns is not None:
        choice["columns"] = [key for key, *_header in columns]
    if dialect:
        choice["dialect"] = dialect
    if language:
        choice["language"] = language
    return choice


def chosen_columns(queryset, keys, language=None):
    """The columns named by ``keys`` (in that order) among those of ``queryset``; every column for None."""
    columns = columns_for(queryset, language=language)
    return columns if keys is None else select_columns(columns, keys)


def without_search_text(filters):
    """Filters as they may be kept: the search text can be a name or e-mail address, so only its use is."""
    kept = {key: value for key, value in filters.items() if key != "q"}
    if filters.get("q"):
        kept["q"] = "[search]"
    return kept


def log_export(job, user=None, **data):
    """The audit-log entry of an export: one per export, against its ExportJob."""
    log(
        job,
        LOG_EXPORT,
        user=user if user is not None else job.user,
        data={
            "format": job.format,
            "rows": job.rows_done,
            "filters": without_search_text(job.filters),
            **data,
        },
    )


def record_export(user, format, params, rows, how, **choice):
    """Record an export that is written at once (no background job): a finished ExportJob, logged.

    ``choice``: ``export_choice``'s data (columns, dialect, language), kept in the audit log.
    """
    now = timezone.now()
    job = ExportJob.objects.create(
        user=user,
        format=format,
        filters=without_search_text(params_to_json(params)),
        status=ExportJob.Status.DONE,
        rows_total=rows,
        rows_done=rows,
        finished_at=now,
    )
    log_export(job, user=user, how=how, **choice)
    return job


def user_language(user):
    """The admin language the user chose, for the column headers of a background export."""
    profile = getattr(user, "wagtail_userprofile", None)
    if profile is not None:
        return profile.get_preferred_language()
    return settings.LANGUAGE_CODE


@task()
def run_export_job(job_id, columns=None, dialect=None, language=None):
    """Write the file of a queued ExportJob, keeping its progress; logs the export when done.

    ``columns`` (column keys in order), ``dialect`` and ``language`` are the
    marketer's choice from the export menu (``export_choice``); None: the defaults
    (every column, ``iter_csv``'s dialect, the user's admin language). Columns are
    chosen by key when the job runs, so headers follow ``language``, and a column
    that vanished meanwhile is skipped.
    """
    # Claim the job: a task that is delivered twice must not export twice.
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    ):
        logger.warning("Export job %s is not queued; not running it again.", job_id)
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    root = export_root()
    name = f"leads-{job.pk}-{secrets.token_hex(8)}.{job.format}"
    handle, partial = tempfile.mkstemp(dir=root, prefix=f".partial-{name}.")
    last_write = 0.0

    def progress(done):
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_INTERVAL:
            last_write = now
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        with translation.override(language or user_language(job.user)):
            queryset = filter_leads(params_from_json(job.filters))
            job.rows_total = queryset.count()
            ExportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
            rows = 0

            def count(done):
                nonlocal rows
                rows = done
                progress(done)

            with os.fdopen(handle, "wb") as fileobj:  # mkstemp made it readable by us only
                write_export(
                    queryset,
                    job.format,
                    fileobj,
                    columns=chosen_columns(queryset, columns, language),
                    progress=count,
                    dialect=dialect,
                    language=language,
                )
        os.replace(partial, root / name)
    except Exception as error:
        Path(partial).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        logger.exception("Export job %s failed", job.pk)
        raise

    now = timezone.now()
    job.status = ExportJob.Status.DONE
    job.rows_done = rows
    job.file_name = name
    job.finished_at = now
    job.expires_at = now + timedelta(hours=app_settings.EXPORT_EXPIRY_HOURS)
    # The search was needed to run the job; a finished job keeps no personal search text.
    job.filters = without_search_text(job.filters)
    job.save(
        update_fields=[
            "status",
            "rows_total",
            "rows_done",
            "file_name",
            "finished_at",
            "expires_at",
            "filters",
        ]
    )
    choice = export_choice(None, dialect, language)
    if columns is not None:
        choice["columns"] = list(columns)
    log_export(job, how="background", **choice)
    return job.pk
