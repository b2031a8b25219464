"""The filters and search of the leads listing, shared by the admin list, its exports and export_leads."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.models import Page

from ..models import Lead, MarketingState, Questionnaire

SEARCH_FIELDS = ("name", "company", "email")


def industry_choices():
    """The industries of the questionnaires in the default language, keyed as leads store them."""
    choices = {}
    for questionnaire in Questionnaire.objects.all():
        question = questionnaire.definition.question_for_role("industry")
        if question:
            for option in question.choices:
                choices.setdefault(option.key, option.label)
    return sorted(choices.items(), key=lambda item: item[1].lower())


def language_choices():
    from django.conf import settings

    return list(settings.LANGUAGES)


class LeadFilterSet(WagtailFilterSet):
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=DateRangePickerWidget, field_name="created_at"
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Lead.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=industry_choices)
    source_page = django_filters.ModelChoiceFilter(
        label=_("Source page"),
        queryset=lambda request: Page.objects.filter(
            pk__in=Lead.objects.exclude(source_page=None).values("source_page")
        ).order_by("title"),
    )
    locale = django_filters.ChoiceFilter(label=_("Language"), choices=language_choices)
    questionnaire = django_filters.ModelChoiceFilter(
        label=_("Questionnaire"), queryset=Questionnaire.objects.order_by("title")
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"),
        queryset=lambda request: get_user_model().objects.filter(
            pk__in=Lead.objects.exclude(assignee=None).values("assignee")
        ),
        null_label=_("Unassigned"),
    )
    marketing_consent_state = django_filters.MultipleChoiceFilter(
        label=_("Marketing consent"),
        choices=MarketingState.choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_marketing_consent_state",
    )

    class Meta:
        model = Lead
        fields = ["created_at", "status", "industry", "source_page", "locale", "questionnaire", "assignee"]

    def filter_marketing_consent_state(self, queryset, name, value):
        """Leads in any of the states ticked; the rule is ``Lead.marketing_consent_state``'s."""
        if not value:
            return queryset
        condition = Q()
        for state in value:
            condition |= Lead.marketing_state_condition(state)
        return queryset.filter(condition)


def search_leads(queryset, query):
    """The listing's search: name, company and e-mail contain the query (case-insensitive)."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = Q()
    for field in SEARCH_FIELDS:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


def filter_leads(params, queryset=None, request=None):
    """Leads as the admin listing shows them for these GET parameters (filters and ``q``)."""
    queryset = Lead.objects.all() if queryset is None else queryset
    filterset = LeadFilterSet(params, queryset=queryset, request=request)
    if filterset.is_valid():
        queryset = filterset.qs
    return search_leads(queryset, params.get("q"))
