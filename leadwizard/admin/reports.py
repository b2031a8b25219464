"""The admin's lead reports: conversion per source page, the funnel of a questionnaire, lead to shortlist.

They are Wagtail ``ReportView``s, so filters, the admin layout and the CSV/XLSX
downloads work like the built-in reports; the numbers come from ``reports``.
Only users with ``view_lead`` see them.
"""

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permissions import policy_registry

from ..models import FunnelCount, Lead, Questionnaire
from ..reports import (
    conversion_rows,
    default_date_range,
    format_percent,
    funnel_days,
    funnel_rows,
    handover_weeks,
    percent,
    questionnaire_choices,
    representative,
    shortlists_per_consultant,
)

# Filters --------------------------------------------------------------------------------------


class ReportFilterSet(WagtailFilterSet):
    """A date range that defaults to the last 30 days; no filter is applied to a queryset."""

    date = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = FunnelCount
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        start, end = default_date_range()
        data = data.copy() if data is not None else {}
        if not data.get("date_from") and not data.get("date_to"):
            data["date_from"], data["date_to"] = start.isoformat(), end.isoformat()
        super().__init__(data, *args, **kwargs)
        # The default range counts as unfiltered.
        self.form.fields["date"].initial = [start, end]

    def date_range(self):
        """(start, end) as dates; either may be None when left open."""
        value = self.form.cleaned_data.get("date") if self.is_valid() else None
        if not value:
            return default_date_range()
        return (
            value.start.date() if value.start else None,
            value.stop.date() if value.stop else None,
        )


class ConversionReportFilterSet(ReportFilterSet):
    questionnaire = django_filters.ChoiceFilter(
        label=_("Questionnaire"), choices=questionnaire_choices, empty_label=_("All")
    )


class FunnelReportFilterSet(ReportFilterSet):
    questionnaire = django_filters.ChoiceFilter(
        label=_("Questionnaire"), choices=questionnaire_choices, empty_label=None
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        choices = questionnaire_choices()
        if choices and not data.get("questionnaire"):
            data["questionnaire"] = choices[0][0]
        super().__init__(data, *args, **kwargs)
        if choices:
            self.form.fields["questionnaire"].initial = choices[0][0]


# Views ----------------------------------------------------------------------------------------


class LeadReportView(ReportView):
    """Common ground: view_lead permission, rows computed from the filters, no queryset filtering."""

    permission_required = "view"
    header_icon = "table"

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Lead)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_filtered_queryset(self):
        if self.filters is None or not self.filters.is_valid():
            return []
        return self.get_rows(*self.filters.date_range(), self.filters.form.cleaned_data.get("questionnaire"))

    def get_rows(self, start, end, translation_key):
        raise NotImplementedError

    def stream_csv(self, queryset):
        # Wagtail streams the CSV after the view has returned, when the user's admin language is no
        # longer active; the rows are few, so write them (and the translated headings) right away.
        return list(super().stream_csv(queryset))

    def get_filename(self):
        start, end = self.filters.date_range() if self.filters and self.filters.is_valid() else (None, None)
        return "-".join(
            part
            for part in (self.export_filename, start and start.isoformat(), end and end.isoformat())
            if part
        )

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if self.filters and self.filters.is_valid():
            context["date_from"], context["date_to"] = self.filters.date_range()
        return context


class ConversionReportView(LeadReportView):
    page_title = _("Leads per source page")
    header_icon = "form"
    index_url_name = "leadwizard_admin:report_conversion"
    index_results_url_name = "leadwizard_admin:report_conversion_results"
    results_template_name = "leadwizard/reports/conversion_results.html"
    filterset_class = ConversionReportFilterSet
    export_filename = "leads-per-source-page"
    paginate_by = 50
    list_export = ["page_title", "page_url", "starts", "leads", "conversion"]
    export_headings = {
        "page_title": _("Source page"),
        "page_url": _("URL"),
        "starts": _("Wizard starts"),
        "leads": _("Leads"),
        "conversion": _("Conversion (%)"),
    }
    columns = [
        TitleColumn(
            "page_title",
            label=_("Source page"),
            get_url=lambda row: row.page_url or None,
        ),
        Column("page_url", label=_("URL")),
        NumberColumn("starts", label=_("Wizard starts")),
        NumberColumn("leads", label=_("Leads")),
        Column("conversion_display", label=_("Conversion")),
    ]

    def get_rows(self, start, end, translation_key):
        return conversion_rows(start, end, translation_key or None, request=self.request)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        rows = self.object_list
        total_starts = sum(row.starts for row in rows)
        total_leads = sum(row.leads for row in rows)
        context["total_starts"] = total_starts
        context["total_leads"] = total_leads
        context["total_conversion"] = format_percent(percent(total_leads, total_starts))
        return context


class FunnelReportView(LeadReportView):
    page_title = _("Wizard funnel")
    header_icon = "list-ol"
    index_url_name = "leadwizard_admin:report_funnel"
    index_results_url_name = "leadwizard_admin:report_funnel_results"
    results_template_name = "leadwizard/reports/funnel_results.html"
    filterset_class = FunnelReportFilterSet
    export_filename = "wizard-funnel"
    paginate_by = None
    list_export = [
        "position",
        "step_key",
        "step_title",
        "readers",
        "dropoff",
        "dropoff_percent",
        "share_of_starts",
        "note",
    ]
    export_headings = {
        "position": _("Position"),
        "step_key": _("Step key"),
        "step_title": _("Step"),
        "readers": _("Readers"),
        "dropoff": _("Drop-off"),
        "dropoff_percent": _("Drop-off (%)"),
        "share_of_starts": _("Share of starts (%)"),
        "note": pgettext_lazy("report", "Note"),
    }

    @cached_property
    def questionnaire(self):
        """The chosen questionnaire in the default language; rows and context share one look-up."""
        key = (
            self.filters.form.cleaned_data.get("questionnaire")
            if self.filters and self.filters.is_valid()
            else None
        )
        return representative(key) if key else None

    def get_rows(self, start, end, translation_key):
        if not translation_key:
            return []
        return funnel_rows(translation_key, start, end, questionnaire=self.questionnaire)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        questionnaire = self.questionnaire
        context["questionnaire"] = questionnaire
        context["has_questionnaires"] = questionnaire is not None or Questionnaire.objects.exists()
        context["days"] = (
            funnel_days(
                str(questionnaire.translation_key), *self.filters.date_range(), questionnaire=questionnaire
            )
            if questionnaire
            else []
        )
        return context


class HandoverReportView(LeadReportView):
    """How fast leads get their shortlist, per week, and how many shortlists each consultant sent."""

    page_title = _("Lead to shortlist")
    header_icon = "time"
    index_url_name = "leadwizard_admin:report_handover"
    index_results_url_name = "leadwizard_admin:report_handover_results"
    results_template_name = "leadwizard/reports/handover_results.html"
    filterset_class = ReportFilterSet
    export_filename = "lead-to-shortlist"
    paginate_by = None
    list_export = ["week", "leads", "shortlisted", "open", "median_hours", "p90_hours"]
    export_headings = {
        "week": _("Week"),
        "leads": _("Leads"),
        "shortlisted": _("With shortlist"),
        "open": _("Still waiting"),
        "median_hours": _("Median wait (hours)"),
        "p90_hours": _("90th percentile wait (hours)"),
    }

    def get_rows(self, start, end, translation_key):
        return handover_weeks(start, end)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        start, end = self.filters.date_range() if self.filters and self.filters.is_valid() else (None, None)
        context["consultants"] = shortlists_per_consultant(start, end)
        return context
