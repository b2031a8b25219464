"""The dashboard panel of the consultant: how many leads wait for a shortlist, and since when."""

from django.utils import timezone
from wagtail.admin.ui.components import Component

from ..admin_urls import consult_url
from ..shortlists import waiting_leads
from .views import may_work_leads


class ShortlistQueuePanel(Component):
    name = "leadwizard_shortlist_queue"
    order = 90
    template_name = "leadwizard/consult/queue_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        leads = waiting_leads()
        oldest = leads.values_list("created_at", flat=True).first()
        return {
            "count": leads.count(),
            "mine": leads.filter(assignee=self.user).count(),
            "oldest": oldest,
            "waiting": timezone.now() - oldest if oldest else None,
            "queue_url": consult_url("queue"),
        }


def add_queue_panel(request, panels):
    """For Wagtail's ``construct_homepage_panels`` hook: only for users who may work leads."""
    if may_work_leads(request.user):
        panels.append(ShortlistQueuePanel(request.user))
