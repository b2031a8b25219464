"""Admin views of the lead exports: export, progress, status (JSON), download, and the listing's buttons.

The export follows the listing's filters and search (the query string of the
leads listing). Up to ``LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD`` leads are sent at
once (CSV streamed, XLSX built in a spooled temporary file); more (for XLSX
optionally fewer: ``LEADWIZARD_EXPORT_XLSX_BACKGROUND_THRESHOLD``) run as a
background task with a progress page and a private download link. Only users
with ``leadwizard.export_lead`` may export; a job's progress and file are for
its owner (and superusers).
"""

import logging
import tempfile

from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.generic import IndexView
from wagtail.admin.widgets.button import Button

from ..admin_urls import admin_url, lead_admin_url
from ..conf import app_settings
from ..exports import CONTENT_TYPES, columns_for, iter_csv, write_xlsx
from ..exports.filters import LeadFilterSet, filter_leads
from ..exports.jobs import (
    FORMATS,
    filter_params,
    job_file,
    params_to_json,
    record_export,
    run_export_job,
)
from ..models import ExportJob, Lead

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "leadwizard.export_lead"
VIEW_PERMISSION = "leadwizard.view_lead"
PROGRESS_TEMPLATE = "leadwizard/admin/export_progress.html"
# A direct XLSX export is built in memory up to this size, then in a temporary file.
XLSX_SPOOL_BYTES = 16 * 1024 * 1024
# Seconds between two reloads of the progress page when JavaScript is off.
REFRESH_SECONDS = 3


def background_threshold(format):
    """Exports of more leads than this run in the background.

    ``LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD``; XLSX may have a lower one of its own,
    ``LEADWIZARD_EXPORT_XLSX_BACKGROUND_THRESHOLD``, as openpyxl writes only a few
    thousand rows a second and a direct XLSX export keeps the request waiting.
    """
    if format == "xlsx":
        return app_settings.EXPORT_XLSX_BACKGROUND_THRESHOLD
    return app_settings.EXPORT_BACKGROUND_THRESHOLD


def can_export(user):
    # An export is every lead's personal data at once: it needs the right to see leads too.
    return user.is_active and user.has_perms([VIEW_PERMISSION, EXPORT_PERMISSION])


def can_access_job(user, job):
    """Progress and file of an export are for its owner and superusers, as long as they may export."""
    return can_export(user) and (job.user_id == user.pk or user.is_superuser)


def listing_url():
    return lead_admin_url("index")


def query_string(params):
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def export_url(format, query):
    """The export link for the listing's current filters and search (``query``: its GET parameters)."""
    return admin_url("export_leads", format) + query_string(filter_params(query))


def export_filename(format, when=None):
    when = timezone.localtime(when or timezone.now())
    return f"leads-{when:%Y-%m-%d-%H%M}.{format}"


def _message_page(request, title, message, status):
    """The export page with just a message: refused, expired and the like."""
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "download",
        "breadcrumbs_items": _breadcrumbs(title),
        "message": message,
        "job": None,
    }
    return TemplateResponse(request, PROGRESS_TEMPLATE, context, status=status)


def _forbidden(request):
    return _message_page(
        request,
        gettext("Lead export"),
        gettext("You do not have permission to export leads or to see this export."),
        403,
    )


def _breadcrumbs(label):
    return [
        {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
        {"url": listing_url(), "label": gettext("Leads")},
        {"url": "", "label": label},
    ]


def _private(response):
    # The export holds personal data: no cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_admin_access
def export_leads_view(request, format):
    """Export the leads of the listing's filters and search as ``format`` (csv or xlsx)."""
    if format not in FORMATS:
        raise Http404
    if not can_export(request.user):
        return _forbidden(request)

    params = filter_params(request.GET)
    filterset = LeadFilterSet(params, queryset=Lead.objects.all(), request=request)
    if not filterset.is_valid():
        # The listing would show every lead; an export must not quietly do the same.
        messages.error(
            request, gettext("The filters are not valid, so nothing was exported. Please check them.")
        )
        return redirect(listing_url() + query_string(params))
    queryset = filter_leads(params, request=request)
    count = queryset.count()

    if count > background_threshold(format):
        job = ExportJob.objects.create(
            user=request.user, format=format, filters=params_to_json(params), rows_total=count
        )
        try:
            run_export_job.enqueue(job.pk)
        except Exception:
            logger.exception("Could not queue export job %s", job.pk)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED, error="Could not queue the task.", finished_at=timezone.now()
            )
        return redirect(admin_url("export_progress", job.pk))

    # Headers now, in the user's admin language: a streamed body is written after the view returns.
    columns = columns_for(queryset)
    record_export(request.user, format, params, count, how="direct")
    filename = export_filename(format)
    if format == "csv":
        response = StreamingHttpResponse(iter_csv(queryset, columns), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return _private(response)
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(queryset, spool, columns)
    spool.seek(0)
    return _private(
        FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])
    )


def _job_or_refusal(request, job_id):
    job = get_object_or_404(ExportJob.objects.select_related("user"), pk=job_id)
    if not can_access_job(request.user, job):
        return None, _forbidden(request)
    return job, None


def _is_expired(job):
    return job.expires_at is not None and job.expires_at <= timezone.now()


def job_state(job):
    """What the progress page and its status endpoint tell about a job."""
    expired = _is_expired(job)
    done = job.status == ExportJob.Status.DONE and bool(job.file_name) and not expired
    rows = {
        "done": number_format(job.rows_done, force_grouping=True),
        "total": number_format(job.rows_total, force_grouping=True),
    }
    if job.status == ExportJob.Status.QUEUED:
        message = gettext("The export is waiting to start.")
    elif job.status == ExportJob.Status.RUNNING:
        message = gettext("%(done)s of %(total)s leads written (%(percent)s %%).") % {
            **rows,
            "percent": job.progress_percent,
        }
    elif job.status == ExportJob.Status.FAILED:
        message = gettext("The export failed. Please try again or ask an administrator.")
    elif not job.file_name and job.expires_at is None:
        message = gettext("This export was downloaded at once; no file was kept.")
    elif expired or not job.file_name:
        message = gettext("This export has expired and its file was deleted. Please export again.")
    else:
        message = gettext("The export is ready: %(total)s leads.") % rows
    state = {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.progress_percent,
        "finished": job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED),
        "message": message,
        "download_url": admin_url("export_download", job.pk) if done else "",
        "expiry_message": gettext("The file is kept until %(date)s and is only for you.")
        % {"date": date_format(timezone.localtime(job.expires_at), "DATETIME_FORMAT")}
        if done and job.expires_at
        else "",
    }
    return state


@require_admin_access
def export_progress_view(request, job_id):
    """The progress of a background export, then its download link.

    Without JavaScript the page reloads itself (``<meta http-equiv="refresh">`` in
    a ``<noscript>``) until the export has finished; with JavaScript
    (leadwizard/export_progress.js) it asks the status view instead and updates
    the progress bar and a live region.
    """
    job, refusal = _job_or_refusal(request, job_id)
    if refusal:
        return refusal
    title = gettext("Lead export")
    state = job_state(job)
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "download",
        "breadcrumbs_items": _breadcrumbs(title),
        "job": job,
        "state": state,
        "status_url": admin_url("export_status", job.pk),
        "refresh_seconds": REFRESH_SECONDS,
        "format_label": job.get_format_display(),
        "listing_url": listing_url(),
    }
    return _private(TemplateResponse(request, PROGRESS_TEMPLATE, context))


@require_admin_access
def export_status_view(request, job_id):
    """The state of a background export as JSON, for the progress page's script."""
    job, refusal = _job_or_refusal(request, job_id)
    if refusal:
        return _private(JsonResponse({"error": "forbidden"}, status=403))
    return _private(JsonResponse(job_state(job)))


@require_admin_access
def export_download_view(request, job_id):
    """The file of a finished background export, as an attachment; refused once it has expired."""
    job, refusal = _job_or_refusal(request, job_id)
    if refusal:
        return refusal
    title = gettext("Lead export")
    if job.status != ExportJob.Status.DONE:
        return _message_page(request, title, gettext("This export has no file yet."), 404)
    file_path = job_file(job)
    if _is_expired(job) or file_path is None or not file_path.is_file():
        return _message_page(
            request,
            title,
            gettext("This export has expired and its file was deleted. Please export again."),
            410,
        )
    response = FileResponse(
        file_path.open("rb"),
        as_attachment=True,
        filename=export_filename(job.format, job.finished_at),
        content_type=CONTENT_TYPES[job.format],
    )
    return _private(response)


admin_urlpatterns = [
    re_path(
        r"^lead-exports/(?P<format>csv|xlsx)/$",
        export_leads_view,
        name="leadwizard_admin:export_leads",
    ),
    path("lead-exports/<int:job_id>/", export_progress_view, name="leadwizard_admin:export_progress"),
    path("lead-exports/<int:job_id>/status/", export_status_view, name="leadwizard_admin:export_status"),
    path(
        "lead-exports/<int:job_id>/download/", export_download_view, name="leadwizard_admin:export_download"
    ),
]


class LeadIndexView(IndexView):
    """The leads listing with "Export CSV" and "Export XLSX" in the header's actions menu.

    The buttons carry the listing's filters and search; Wagtail re-renders them
    with the results whenever the filters change. Wagtail's own ``?export=``
    spreadsheet download of the listing is sent to these exports too.
    Used as ``LeadViewSet.index_view_class``.
    """

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if can_export(self.request.user):
            buttons += [
                Button(
                    _("Export CSV"),
                    url=export_url("csv", self.request.GET),
                    icon_name="download",
                    priority=90,
                ),
                Button(
                    _("Export XLSX"),
                    url=export_url("xlsx", self.request.GET),
                    icon_name="download",
                    priority=100,
                ),
            ]
        return buttons

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in FORMATS:
            return redirect(export_url(export, request.GET))
        return super().get(request, *args, **kwargs)
