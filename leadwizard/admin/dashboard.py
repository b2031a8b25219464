"""The dashboard's lead figures: new leads of the week and open leads nobody has taken."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.admin.site_summary import SummaryItem

from ..admin_urls import lead_admin_url
from ..models import Lead


class _LeadsSummaryItem(SummaryItem):
    """A figure in the dashboard's site summary that links to the filtered leads list."""

    template_name = "leadwizard/admin/summary_item.html"

    def is_shown(self):
        return self.request.user.has_perm("leadwizard.view_lead")

    def list_url(self, query):
        return f"{lead_admin_url('index')}?{query}"


class NewLeadsSummaryItem(_LeadsSummaryItem):
    """New leads of the last 7 days (spam excluded)."""

    order = 400

    def get_context_data(self, parent_context):
        since = timezone.localdate() - timedelta(days=6)
        statuses = [status for status in Lead.Status.values if status != Lead.Status.SPAM]
        count = Lead.objects.filter(created_at__date__gte=since).exclude(status=Lead.Status.SPAM).count()
        return {
            "icon": "user",
            "url": self.list_url(
                f"created_at_from={since.isoformat()}&" + "&".join(f"status={s}" for s in statuses)
            ),
            "text": ngettext("%(count)s new lead in 7 days", "%(count)s new leads in 7 days", count)
            % {"count": count},
        }


class UnassignedLeadsSummaryItem(_LeadsSummaryItem):
    """Open leads nobody has taken yet."""

    order = 410

    def get_context_data(self, parent_context):
        statuses = [Lead.Status.NEW, Lead.Status.IN_PROGRESS]
        count = Lead.objects.filter(assignee=None, status__in=statuses).count()
        return {
            "icon": "warning",
            "url": self.list_url("assignee=null&" + "&".join(f"status={s}" for s in statuses)),
            "text": ngettext("%(count)s open lead unassigned", "%(count)s open leads unassigned", count)
            % {"count": count},
        }


def add_summary_items(request, summary_items):
    """For Wagtail's ``construct_homepage_summary_items`` hook."""
    summary_items.extend([NewLeadsSummaryItem(request), UnassignedLeadsSummaryItem(request)])
