"""The numbers of the lead reports: conversion per source page, the funnel of a questionnaire, and the
hand-over (time from lead to shortlist, shortlists per consultant).

Aggregated numbers only (funnel counts and lead counts), never personal data.
Rows are computed in Python from a few grouped queries; a report never holds
more than one row per page or step. The admin's report views are in
``admin/reports.py``.
"""

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from .models import FunnelCount, Lead, Questionnaire, Shortlist

DEFAULT_DAYS = 30
CONTACT_STEP = "contact"
SUCCESS_STEP = "success"
DASH = "–"


def default_date_range():
    """The last ``DEFAULT_DAYS`` days including today, in the site's time zone."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_DAYS - 1), today


def questionnaire_choices():
    """One choice per questionnaire and all its translations: (translation key, title in the default language)."""
    default_locale_id = Locale.get_default().pk
    chosen = {}
    for questionnaire in Questionnaire.objects.order_by("pk"):
        key = str(questionnaire.translation_key)
        if key not in chosen or questionnaire.locale_id == default_locale_id:
            chosen[key] = questionnaire
    return sorted(
        ((key, q.title) for key, q in chosen.items()), key=lambda item: (item[1].casefold(), item[0])
    )


def representative(translation_key):
    """The questionnaire of ``translation_key`` in the default language, else any translation."""
    questionnaires = list(Questionnaire.objects.filter(translation_key=translation_key).order_by("pk"))
    default_locale_id = Locale.get_default().pk
    for questionnaire in questionnaires:
        if questionnaire.locale_id == default_locale_id:
            return questionnaire
    return questionnaires[0] if questionnaires else None


def percent(part, whole):
    """``part`` as a percentage of ``whole``, one decimal; None when ``whole`` is 0."""
    return round(100.0 * part / whole, 1) if whole else None


def format_percent(value):
    return DASH if value is None else f"{number_format(value, decimal_pos=1)} %"


def _day_bounds(start, end):
    """Aware datetimes for [start 00:00, day after end 00:00) in the current time zone; None when open."""
    tz = timezone.get_current_timezone()
    low = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz) if start else None
    high = (
        timezone.make_aware(
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
        )
        if end
        else None
    )
    return low, high


def _date_filter(queryset, start, end):
    if start:
        queryset = queryset.filter(date__gte=start)
    if end:
        queryset = queryset.filter(date__lte=end)
    return queryset


def _created_filter(queryset, start, end):
    low, high = _day_bounds(start, end)
    if low:
        queryset = queryset.filter(created_at__gte=low)
    if high:
        queryset = queryset.filter(created_at__lt=high)
    return queryset


# Computing the rows ---------------------------------------------------------------------------


@dataclass
class ConversionRow:
    page_id: int | None
    page_title: str
    page_url: str
    starts: int = 0
    leads: int = 0

    @property
    def conversion(self):
        """Leads per wizard start in percent, None without starts."""
        return percent(self.leads, self.starts)

    @property
    def conversion_display(self):
        return format_percent(self.conversion)


def conversion_rows(start=None, end=None, translation_key=None, request=None):
    """Wizard starts, non-spam leads and conversion per source page between ``start`` and ``end`` (dates)."""
    questionnaires = Questionnaire.objects.all()
    if translation_key:
        questionnaires = questionnaires.filter(translation_key=translation_key)
    # A start is a reader reaching the questionnaire's first step; translations keep the same keys,
    # but each questionnaire's own first key is used.
    first_steps = {}
    for questionnaire in questionnaires:
        steps = questionnaire.definition.steps
        if steps:
            first_steps.setdefault(steps[0].key, []).append(questionnaire.pk)

    starts = {}
    if first_steps:
        condition = reduce(or_, (Q(step=key, questionnaire_id__in=ids) for key, ids in first_steps.items()))
        counts = _date_filter(FunnelCount.objects.filter(condition, question=""), start, end)
        for page_id, total in (
            counts.values("page_id").annotate(total=Sum("count")).values_list("page_id", "total")
        ):
            starts[page_id] = total

    leads = _created_filter(Lead.objects.exclude(status=Lead.Status.SPAM), start, end)
    if translation_key:
        leads = leads.filter(questionnaire__translation_key=translation_key)
    lead_counts = dict(
        leads.order_by()
        .values("source_page_id")
        .annotate(total=Count("pk"))
        .values_list("source_page_id", "total")
    )

    page_ids = {pk for pk in (*starts, *lead_counts) if pk is not None}
    pages = Page.objects.filter(pk__in=page_ids).select_related("locale").in_bulk()
    rows = []
    for page_id in page_ids:
        page = pages.get(page_id)
        if page is None:
            continue
        rows.append(
            ConversionRow(
                page_id=page_id,
                page_title=page.title,
                page_url=page.get_full_url(request) or "",
                starts=starts.get(page_id, 0),
                leads=lead_counts.get(page_id, 0),
            )
        )
    orphaned = lead_counts.get(None, 0) + sum(lead_counts.get(pk, 0) for pk in page_ids if pk not in pages)
    if orphaned:
        rows.append(
            ConversionRow(
                page_id=None, page_title=str(_("Deleted or unknown page")), page_url="", leads=orphaned
            )
        )
    rows.sort(key=lambda row: (-row.leads, -row.starts, row.page_title.casefold(), row.page_id or 0))
    return rows


def format_number(value):
    return DASH if value is None else number_format(value, force_grouping=True)


def is_conditional(item):
    """True for a step or question shown only to some readers (``condition`` may not exist yet)."""
    return bool(getattr(item, "condition", None))


# Notes shown (and exported) instead of a figure that would mislead.
CONDITIONAL_NOTE = _("Shown only for some readers, so it has no drop-off.")
OLD_COUNTS_NOTE = _(
    "More readers than on the step before: the range includes counts from before each reader was "
    "counted once per step."
)


@dataclass
class QuestionRow:
    """Readers who answered one question, against the readers who reached its step."""

    key: str
    label: str
    answered: int
    reached: int
    conditional: bool = False

    @property
    def inconsistent(self):
        """More answers than readers of the step: only possible with counts from before per-reader counting."""
        return not self.conditional and self.answered > self.reached

    @property
    def share(self):
        """Answered in percent of the step's readers; None when that is not meaningful."""
        if self.conditional or self.inconsistent:
            return None
        return percent(self.answered, self.reached)

    @property
    def unanswered(self):
        """Readers who reached the step but left this question unanswered (the question's drop-off)."""
        if self.conditional or self.inconsistent:
            return None
        return self.reached - self.answered

    @property
    def answered_display(self):
        return format_number(self.answered)

    @property
    def share_display(self):
        return format_percent(self.share)

    @property
    def unanswered_display(self):
        return format_number(self.unanswered)

    @property
    def note(self):
        if self.conditional:
            return str(_("Shown only for some readers."))
        if self.inconsistent:
            return str(
                _(
                    "More answers than readers of the step: the range includes counts from before each "
                    "reader was counted once per step."
                )
            )
        return ""


@dataclass
class FunnelRow:
    position: int
    step_key: str
    step_title: str
    readers: int
    previous: int | None
    starts: int
    widest: int
    conditional: bool = False
    # Position of the step the drop-off is measured from when that is not the step just before
    # (a conditional step lies in between).
    compared_position: int | None = None
    questions: list = field(default_factory=list)

    @property
    def inconsistent(self):
        """More readers than on the step compared with: only old arrival counts can do that."""
        return self.previous is not None and self.readers > self.previous

    @property
    def dropoff(self):
        """Readers lost since the previous step shown to everyone; None when there is none to compare."""
        if self.previous is None or self.inconsistent:
            return None
        return self.previous - self.readers

    @property
    def dropoff_percent(self):
        return None if self.dropoff is None else percent(self.dropoff, self.previous)

    @property
    def share_of_starts(self):
        return percent(self.readers, self.starts)

    @property
    def readers_display(self):
        return format_number(self.readers)

    @property
    def dropoff_display(self):
        return format_number(self.dropoff)

    @property
    def dropoff_percent_display(self):
        return format_percent(self.dropoff_percent)

    @property
    def share_display(self):
        return format_percent(self.share_of_starts)

    @property
    def note(self):
        if self.conditional:
            return str(CONDITIONAL_NOTE)
        if self.inconsistent:
            return str(OLD_COUNTS_NOTE)
        if self.compared_position:
            return _("Drop-off since step %(position)s, the last step shown to every reader.") % {
                "position": self.compared_position
            }
        return ""

    @property
    def bar_width(self):
        """Width of the bar in percent of the widest bar, as a plain number for a style attribute."""
        return f"{(100.0 * self.readers / self.widest) if self.widest else 0:.1f}"


def _funnel_counts(translation_key, start, end):
    """The counts of a questionnaire (all languages, all pages) between ``start`` and ``end``."""
    return _date_filter(
        FunnelCount.objects.filter(questionnaire__translation_key=translation_key), start, end
    ).order_by()


def funnel_rows(translation_key, start=None, end=None, questionnaire=None):
    """Readers per step of a questionnaire (all languages, all pages), then contact and success.

    ``questionnaire``, when given, is the ``representative`` of ``translation_key`` already looked up.

    Each row holds its questions (``QuestionRow``). A conditional step gets no drop-off, and the
    next step shown to everyone is compared with the last one before it that was shown to everyone.
    """
    if questionnaire is None and translation_key:
        questionnaire = representative(translation_key)
    if questionnaire is None:
        return []
    definition_steps = list(questionnaire.definition.steps)
    steps = [(step.key, step.title, is_conditional(step), step.questions) for step in definition_steps]
    steps += [
        (CONTACT_STEP, str(_("Contact details")), False, ()),
        (SUCCESS_STEP, str(_("Request sent")), False, ()),
    ]
    step_totals, answer_totals = {}, {}
    for step, question, total in (
        _funnel_counts(translation_key, start, end)
        .values("step", "question")
        .annotate(total=Sum("count"))
        .values_list("step", "question", "total")
    ):
        if question:
            answer_totals[question] = answer_totals.get(question, 0) + total
        else:
            step_totals[step] = total
    readers = [step_totals.get(key, 0) for key, *_rest in steps]
    widest = max(readers, default=0)
    rows = []
    compared = None  # index of the last step shown to every reader
    for index, ((key, title, conditional, questions), count) in enumerate(zip(steps, readers, strict=True)):
        conditional = conditional and index > 0
        previous = None if conditional or compared is None else readers[compared]
        rows.append(
            FunnelRow(
                position=index + 1,
                step_key=key,
                step_title=title,
                readers=count,
                previous=previous,
                starts=readers[0],
                widest=widest,
                conditional=conditional,
                compared_position=(compared + 1 if previous is not None and compared != index - 1 else None),
                questions=[
                    QuestionRow(
                        key=question.key,
                        label=question.label,
                        answered=answer_totals.get(question.key, 0),
                        reached=count,
                        conditional=is_conditional(question),
                    )
                    for question in questions
                ],
            )
        )
        if not conditional:
            compared = index
    return rows


@dataclass
class FunnelDay:
    """The readers who started the wizard on one day (their cohort) and how far they got."""

    day: datetime.date
    started: int
    contact: int
    sent: int

    @property
    def inconsistent(self):
        return self.contact > self.started or self.sent > self.contact

    @property
    def conversion(self):
        """Requests sent per start in percent; None without starts or with old, inconsistent counts."""
        return None if self.inconsistent else percent(self.sent, self.started)

    @property
    def started_display(self):
        return format_number(self.started)

    @property
    def contact_display(self):
        return format_number(self.contact)

    @property
    def sent_display(self):
        return format_number(self.sent)

    @property
    def conversion_display(self):
        return format_percent(self.conversion)


def funnel_days(translation_key, start=None, end=None, questionnaire=None):
    """One ``FunnelDay`` per cohort day with counts between ``start`` and ``end``, newest first.

    ``questionnaire`` as for ``funnel_rows``.
    """
    if questionnaire is None and translation_key:
        questionnaire = representative(translation_key)
    if questionnaire is None or not questionnaire.definition.steps:
        return []
    first = questionnaire.definition.steps[0].key
    days = {}
    for day, step, total in (
        _funnel_counts(translation_key, start, end)
        .filter(question="", step__in=[first, CONTACT_STEP, SUCCESS_STEP])
        .values("date", "step")
        .annotate(total=Sum("count"))
        .values_list("date", "step", "total")
    ):
        days.setdefault(day, {})[step] = total
    return [
        FunnelDay(
            day,
            started=totals.get(first, 0),
            contact=totals.get(CONTACT_STEP, 0),
            sent=totals.get(SUCCESS_STEP, 0),
        )
        for day, totals in sorted(days.items(), reverse=True)
    ]


# The hand-over: from lead to shortlist ------------------------------------------------------


def nearest_rank(sorted_values, fraction):
    """The nearest-rank percentile of already sorted values (the median is 0.5); None when empty."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil without floats creeping in
    return sorted_values[int(rank) - 1]


def hours(delta):
    return round(delta.total_seconds() / 3600, 1)


def format_hours(value):
    return DASH if value is None else number_format(value, decimal_pos=1)


@dataclass
class HandoverWeek:
    """Leads of one ISO week (by arrival) and how long they waited for their first shortlist."""

    week: str
    week_start: datetime.date
    leads: int
    shortlisted: int
    waiting_hours: list

    @property
    def median_hours(self):
        return nearest_rank(self.waiting_hours, 0.5)

    @property
    def p90_hours(self):
        return nearest_rank(self.waiting_hours, 0.9)

    @property
    def open(self):
        return self.leads - self.shortlisted

    @property
    def median_display(self):
        return format_hours(self.median_hours)

    @property
    def p90_display(self):
        return format_hours(self.p90_hours)


def first_shortlists(leads):
    """{lead id: time its first shortlist went out} for the leads of ``leads`` that got one."""
    return dict(
        Shortlist.objects.filter(lead__in=leads, sent_at__isnull=False)
        .values("lead")
        .annotate(first=Min("sent_at"))
        .values_list("lead", "first")
    )


def handover_weeks(start=None, end=None):
    """Per ISO week of arrival: leads (spam left out), how many got a shortlist, median and p90 wait in hours."""
    leads = _created_filter(Lead.objects.exclude(status=Lead.Status.SPAM), start, end)
    first = first_shortlists(leads.values("pk"))
    weeks = {}
    for pk, created_at in leads.values_list("pk", "created_at").iterator(chunk_size=2000):
        local = timezone.localtime(created_at).date()
        year, week, weekday = local.isocalendar()
        row = weeks.setdefault(
            (year, week),
            HandoverWeek(f"{year}-W{week:02d}", local - datetime.timedelta(days=weekday - 1), 0, 0, []),
        )
        row.leads += 1
        if pk in first:
            row.shortlisted += 1
            row.waiting_hours.append(hours(first[pk] - created_at))
    for row in weeks.values():
        row.waiting_hours.sort()
    return [weeks[key] for key in sorted(weeks, reverse=True)]


@dataclass
class ConsultantRow:
    consultant: str
    shortlists: int
    leads: int


def shortlists_per_consultant(start=None, end=None):
    """Shortlists sent in the range (by sending day) per consultant, most first."""
    low, high = _day_bounds(start, end)
    sent = Shortlist.objects.filter(sent_at__isnull=False)
    if low:
        sent = sent.filter(sent_at__gte=low)
    if high:
        sent = sent.filter(sent_at__lt=high)
    rows = (
        sent.values("consultant_name")
        .annotate(shortlists=Count("pk"), leads=Count("lead", distinct=True))
        .order_by("-shortlists", "consultant_name")
    )
    return [ConsultantRow(row["consultant_name"] or DASH, row["shortlists"], row["leads"]) for row in rows]
