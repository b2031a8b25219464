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

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
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
from ..exports import CONTENT_TYPES, CSV_DIALECTS, columns_for, iter_csv, write_xlsx
from ..exports.filters import LeadFilterSet, filter_leads
from ..exports.jobs import (
    FORMATS,
    export_choice,
    filter_params,
    job_file,
    params_to_json,
    record_export,
    run_export_job,
)
from ..exports.presets import can_delete_preset, delete_preset, save_preset, select_columns
from ..models import ExportJob, ExportPreset, Lead

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "leadwizard.export_lead"
VIEW_PERMISSION = "leadwizard.view_lead"
PROGRESS_TEMPLATE = "leadwizard/admin/export_progress.html"
MENU_TEMPLATE = "leadwizard/admin/export_menu.html"
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
    """Export the leads of the listing's filters and search as ``format`` (csv or xlsx), every column."""
    if format not in FORMATS:
        raise Http404
    if not can_export(request.user):
        return _forbidden(request)
    params = filter_params(request.GET)
    if not _filters_valid(request, params):
        return _invalid_filters(request, params)
    return _export(request, format, params)


def _filters_valid(request, params):
    return LeadFilterSet(params, queryset=Lead.objects.all(), request=request).is_valid()


def _invalid_filters(request, params):
    # The listing would show every lead; an export must not quietly do the same.
    messages.error(request, gettext("The filters are not valid, so nothing was exported. Please check them."))
    return redirect(listing_url() + query_string(params))


def _export(request, format, params, keys=None, dialect=None, language=None):
    """The export of the filtered leads: the file at once, or a background job and its progress page.

    ``keys``: the chosen column keys in order (None: every column); ``dialect``
    and ``language``: the menu's choice (None: the defaults, as the direct links).
    """
    queryset = filter_leads(params, request=request)
    count = queryset.count()

    if count > background_threshold(format):
        job = ExportJob.objects.create(
            user=request.user, format=format, filters=params_to_json(params), rows_total=count
        )
        try:
            # The choice travels with the job as its task's arguments; columns as keys, so that
            # the headers are made in the export's language when the job runs.
            run_export_job.enqueue(job.pk, columns=keys, dialect=dialect, language=language)
        except Exception:
            logger.exception("Could not queue export job %s", job.pk)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED, error="Could not queue the task.", finished_at=timezone.now()
            )
        return redirect(admin_url("export_progress", job.pk))

    # Headers now, in the chosen or the user's admin language: a streamed body is written after the view returns.
    columns = columns_for(queryset, language=language)
    if keys is not None:
        columns = select_columns(columns, keys)
    record_export(
        request.user,
        format,
        params,
        count,
        how="direct",
        **export_choice(columns if keys is not None else None, dialect, language),
    )
    filename = export_filename(format)
    if format == "csv":
        options = {"language": language} if dialect is None else {"language": language, "dialect": dialect}
        response = StreamingHttpResponse(
            iter_csv(queryset, columns, **options), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return _private(response)
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(queryset, spool, columns, language=language)
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


# The export menu: format, CSV dialect, language, columns in order, presets.

#: Query parameters of the export menu that are not the listing's filters.
MENU_PARAMETERS = frozenset({"preset"})
DEFAULT_DIALECT = "excel_de"


def export_languages():
    """The languages an export's headers can be in: the site's languages."""
    return [(code, name) for code, name in settings.LANGUAGES]


def default_export_language():
    """German when the site has it (the marketers' tools are set up in German), else the site's language."""
    codes = [code for code, _name in settings.LANGUAGES]
    return "de" if "de" in codes else settings.LANGUAGE_CODE


class ExportMenuForm(forms.Form):
    """The export menu's choices; the column order comes from the ``position_<key>`` fields (``column_order``)."""

    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")], widget=forms.RadioSelect
    )
    dialect = forms.ChoiceField(
        label=_("CSV dialect"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only for CSV files."),
    )
    language = forms.ChoiceField(label=_("Language of headers and values"), widget=forms.RadioSelect)
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one column.")},
    )
    preset_name = forms.CharField(label=_("Preset name"), max_length=100, required=False)

    def __init__(self, *args, all_columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dialect"].choices = [(key, label) for key, label in CSV_DIALECTS.items()]
        self.fields["language"].choices = export_languages()
        self.fields["columns"].choices = list(all_columns)

    def clean_dialect(self):
        return self.cleaned_data.get("dialect") or DEFAULT_DIALECT


def column_order(data, all_columns):
    """The column keys in the order the marketer set with the ``position_<key>`` number fields.

    A missing or unreadable position keeps the column's place among the others;
    equal positions keep the listed order.
    """
    places = []
    for index, (key, _header) in enumerate(all_columns):
        try:
            position = float(data.get(f"position_{key}", ""))
        except ValueError:
            position = index + 1
        places.append((position, index, key))
    return [key for _position, _index, key in sorted(places)]


def move_column(order, key, direction):
    """``order`` with ``key`` moved one place up or down."""
    order = list(order)
    if key not in order:
        return order
    index = order.index(key)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order


def _menu_rows(all_columns, order, chosen):
    headers = dict(all_columns)
    chosen = set(chosen)
    return [
        {
            "key": key,
            "header": headers[key],
            "position": number,
            "checked": key in chosen,
            "first": number == 1,
            "last": number == len(order),
        }
        for number, key in enumerate(order, start=1)
    ]


def _preset_order(preset, all_columns):
    """A preset's columns first, in its order, then the others (not chosen) in their usual order."""
    chosen = [key for key, _header in select_columns(all_columns, preset.columns or [])]
    return chosen + [key for key, _header in all_columns if key not in chosen], chosen


def _menu_page(request, params, queryset, form, order, chosen, preset=None, status=200):
    all_columns = form.fields["columns"].choices
    title = gettext("Export leads")
    presets = list(ExportPreset.objects.select_related("owner"))
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "download",
        "breadcrumbs_items": _breadcrumbs(title),
        "form": form,
        "rows": _menu_rows(all_columns, order, chosen),
        "lead_count": queryset.count(),
        "filters": list(params.lists()),
        "query_string": query_string(params),
        "listing_url": listing_url() + query_string(params),
        "menu_url": admin_url("export_menu"),
        "presets": presets,
        "preset": preset,
        "can_delete_preset": preset is not None and can_delete_preset(request.user, preset),
    }
    return _private(TemplateResponse(request, MENU_TEMPLATE, context, status=status))


@require_admin_access
def export_menu_view(request):
    """The export menu: choose format, CSV dialect, language and columns (in order), load or save a preset.

    The listing's filters and search come in the query string and stay there (the
    form posts to the same URL), so the file holds exactly the filtered leads.
    Works without JavaScript: the column order is set with number fields or with
    up/down buttons that post the form back. Actions (the pressed button
    ``action``): ``export`` (the default), ``save`` (as a preset), ``move``
    (``up:<key>`` / ``down:<key>``), ``delete_preset``.
    """
    if not can_export(request.user):
        return _forbidden(request)
    params = filter_params(request.GET)
    for name in MENU_PARAMETERS:
        params.pop(name, None)
    if not _filters_valid(request, params):
        return _invalid_filters(request, params)
    queryset = filter_leads(params, request=request)
    # The menu lists the headers in the admin's language; the file gets them in the chosen one.
    all_columns = columns_for(queryset)
    all_keys = [key for key, _header in all_columns]
    here = admin_url("export_menu") + query_string(params)

    if request.method != "POST":
        preset = None
        if request.GET.get("preset"):
            preset = (
                ExportPreset.objects.filter(pk=request.GET["preset"]).first()
                if request.GET["preset"].isdigit()
                else None
            )
            if preset is None:
                messages.warning(request, gettext("This preset does not exist (any more)."))
        if preset is not None:
            order, chosen = _preset_order(preset, all_columns)
            initial = {
                "format": preset.format if preset.format in FORMATS else "csv",
                "dialect": preset.dialect if preset.dialect in CSV_DIALECTS else DEFAULT_DIALECT,
                "language": preset.language,
                "columns": chosen,
                "preset_name": preset.name,
            }
        else:
            order, chosen = all_keys, all_keys
            initial = {
                "format": "csv",
                "dialect": DEFAULT_DIALECT,
                "language": default_export_language(),
                "columns": chosen,
            }
        form = ExportMenuForm(initial=initial, all_columns=all_columns)
        return _menu_page(request, params, queryset, form, order, chosen, preset)

    action = request.POST.get("action", "export")
    order = column_order(request.POST, all_columns)
    chosen_keys = [key for key in request.POST.getlist("columns") if key in all_keys]

    if action == "delete_preset":
        preset_id = request.POST.get("preset", "")
        preset = get_object_or_404(ExportPreset, pk=preset_id if preset_id.isdigit() else 0)
        try:
            delete_preset(request.user, preset)
        except PermissionDenied:
            return _forbidden_preset(request)
        messages.success(request, gettext("The preset “%(name)s” was deleted.") % {"name": preset.name})
        return redirect(here)

    if action.startswith(("up:", "down:")):
        direction, _colon, key = action.partition(":")
        order = move_column(order, key, direction)
        form = ExportMenuForm(
            initial={
                "format": request.POST.get("format"),
                "dialect": request.POST.get("dialect"),
                "language": request.POST.get("language"),
                "columns": chosen_keys,
                "preset_name": request.POST.get("preset_name", ""),
            },
            all_columns=all_columns,
        )
        return _menu_page(request, params, queryset, form, order, chosen_keys)

    form = ExportMenuForm(request.POST, all_columns=all_columns)
    if action == "save" and not request.POST.get("preset_name", "").strip():
        form.add_error("preset_name", gettext("Please give the preset a name."))
    if not form.is_valid():
        return _menu_page(request, params, queryset, form, order, chosen_keys, status=400)
    data = form.cleaned_data
    keys = [key for key in order if key in set(data["columns"])]

    if action == "save":
        try:
            preset = save_preset(
                request.user,
                data["preset_name"],
                keys,
                format=data["format"],
                dialect=data["dialect"],
                language=data["language"],
            )
        except PermissionDenied:
            form.add_error(
                "preset_name",
                gettext("A preset of this name belongs to someone else. Please choose another name."),
            )
            return _menu_page(request, params, queryset, form, order, chosen_keys, status=403)
        messages.success(request, gettext("The preset “%(name)s” was saved.") % {"name": preset.name})
        load = params.copy()
        load["preset"] = str(preset.pk)
        return redirect(admin_url("export_menu") + query_string(load))

    return _export(
        request,
        data["format"],
        params,
        keys=keys,
        dialect=data["dialect"] if data["format"] == "csv" else None,
        language=data["language"],
    )


def _forbidden_preset(request):
    return _message_page(
        request,
        gettext("Export leads"),
        gettext("You may not change or delete this preset: it belongs to someone else."),
        403,
    )


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
                    _("Export…"),
                    url=admin_url("export_menu") + query_string(filter_params(self.request.GET)),
                    icon_name="download",
                    priority=80,
                ),
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
