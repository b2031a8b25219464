"""The audit-log actions of the lead wizard: what is recorded about leads, and the words the admin shows.

Looking at, exporting, changing and erasing personal data is recorded in
Wagtail's audit log (the lead's history, the site history report).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

LOG_VIEW = "leadwizard.lead.view"
LOG_EXPORT = "leadwizard.lead.export"
LOG_ERASE = "leadwizard.lead.erase"
LOG_STATUS = "leadwizard.lead.status"
LOG_ASSIGN = "leadwizard.lead.assign"
LOG_RETRY = "leadwizard.delivery.retry"
LOG_SHORTLIST = "leadwizard.lead.shortlist"
LOG_NOTE = "leadwizard.lead.note"
LOG_HANDOVER = "leadwizard.lead.handover"

ACTIONS = (
    (LOG_VIEW, _("View lead"), _("Lead viewed")),
    (LOG_EXPORT, _("Export leads"), _("Leads exported")),
    (LOG_ERASE, _("Erase lead"), _("Personal data of the lead erased")),
    (LOG_STATUS, _("Change lead status"), _("Lead status changed")),
    (LOG_ASSIGN, _("Assign lead"), _("Lead assigned")),
    (LOG_RETRY, _("Retry delivery"), _("Delivery retried by hand")),
    (LOG_NOTE, _("Add note"), _("Note added")),
)


class ShortlistSentFormatter(LogFormatter):
    """The audit log names the vendors that were sent, in order."""

    label = _("Send shortlist")

    def format_message(self, log_entry):
        vendors = (log_entry.data or {}).get("vendors") or []
        return _("Shortlist sent: %(vendors)s") % {"vendors": ", ".join(map(str, vendors)) or "–"}


def register_actions(actions):
    """For Wagtail's ``register_log_actions`` hook."""
    for action, label, message in ACTIONS:
        actions.register_action(action, label, message)
    actions.register_action(LOG_SHORTLIST)(ShortlistSentFormatter)
    actions.register_action(LOG_HANDOVER)(HandoverFormatter)


class HandoverFormatter(ShortlistSentFormatter):
    """The audit log names the vendors that were given the lead."""

    label = _("Hand lead to vendors")

    def format_message(self, log_entry):
        vendors = (log_entry.data or {}).get("vendors") or []
        return _("Lead handed to: %(vendors)s") % {"vendors": ", ".join(map(str, vendors)) or "–"}
