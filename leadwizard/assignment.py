"""Who works a lead: assigning it (by hand, in bulk or round-robin), telling the assignee, recording it.

Only users who may work leads (``lead_staff``) can be assignees. Each
change is recorded in the audit log and the new assignee gets a mail with a
link to the lead, through the deliveries (retried, logged).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log

from .audit import LOG_ASSIGN, LOG_STATUS
from .conf import app_settings
from .deliveries.tasks import enqueue
from .models import Delivery, Lead


def lead_staff():
    """Users who may work leads: active superusers and holders of both view and change permissions."""
    user_model = get_user_model()

    def holding(codename):
        return Q(
            groups__permissions__codename=codename, groups__permissions__content_type__app_label="leadwizard"
        ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="leadwizard")

    holders = user_model.objects.filter(holding("view_lead")).filter(holding("change_lead")).values("pk")
    return (
        user_model.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=holders))
        .distinct()
        .order_by(user_model.USERNAME_FIELD)
    )


class NotLeadStaff(ValueError):
    """The user may not work leads and so cannot be an assignee."""


@transaction.atomic
def assign_lead(lead, assignee, by=None, notify=True):
    """Make ``assignee`` (or nobody) work ``lead``; returns whether anything changed."""
    if assignee is not None and not lead_staff().filter(pk=assignee.pk).exists():
        raise NotLeadStaff(assignee.get_username())
    new_id = assignee.pk if assignee else None
    if lead.assignee_id == new_id:
        return False
    lead.assignee = assignee
    Lead.objects.filter(pk=lead.pk).update(assignee=assignee, updated_at=timezone.now())
    log(
        lead,
        LOG_ASSIGN,
        user=by,
        data={
            "assignee": assignee.get_username() if assignee else None,
            "assignee_name": get_user_display_name(assignee),
        },
    )
    if notify and assignee is not None and assignee.email and assignee != by:
        delivery = Delivery.objects.create(
            lead=lead, kind=Delivery.Kind.ASSIGNMENT, target=assignee.email, next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: enqueue(delivery.pk))
    return True


@transaction.atomic
def set_status(lead, status, by=None):
    """Set the lead's status and record it; returns whether anything changed."""
    if lead.status == status:
        return False
    lead.status = status
    Lead.objects.filter(pk=lead.pk).update(status=status, updated_at=timezone.now())
    log(lead, LOG_STATUS, user=by, data={"status": status})
    return True


def round_robin_consultant():
    """The next consultant of ``LEADWIZARD_ROUND_ROBIN`` for a new lead, or None when it is off.

    The one whose last assigned lead is oldest (never assigned: first), so that
    the turn survives restarts and several app servers without a counter.
    """
    usernames = list(app_settings.ROUND_ROBIN)
    if not usernames:
        return None
    user_model = get_user_model()
    candidates = lead_staff().filter(**{f"{user_model.USERNAME_FIELD}__in": usernames})
    last = dict(
        Lead.objects.filter(assignee__in=candidates)
        .values_list("assignee")
        .annotate(latest=Max("created_at"))
        .values_list("assignee", "latest")
    )
    order = {name: index for index, name in enumerate(usernames)}
    ranked = sorted(
        candidates,
        key=lambda user: (last.get(user.pk) is not None, last.get(user.pk) or 0, order[user.get_username()]),
    )
    return ranked[0] if ranked else None


def assign_new_lead(lead):
    """Round-robin for a lead just created (not for suspected spam); inside the lead's transaction."""
    if lead.is_spam:
        return None
    consultant = round_robin_consultant()
    if consultant is not None:
        assign_lead(lead, consultant)
    return consultant
