"""The report menu's entries of the lead wizard, each shown only to those who may open it."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from ..admin_urls import admin_url, consult_url
from .privacy import ACCESS_PERMISSIONS


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users holding all of ``permissions``."""

    def __init__(self, *args, permissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = tuple(permissions)

    def is_shown(self, request):
        return request.user.has_perms(self.permissions)


def conversion_report_item():
    return PermissionMenuItem(
        _("Leads per source page"),
        admin_url("report_conversion"),
        name="leadwizard-conversion",
        icon_name="form",
        order=1300,
        permissions=["leadwizard.view_lead"],
    )


def funnel_report_item():
    return PermissionMenuItem(
        _("Wizard funnel"),
        admin_url("report_funnel"),
        name="leadwizard-funnel",
        icon_name="list-ol",
        order=1310,
        permissions=["leadwizard.view_lead"],
    )


def handover_report_item():
    return PermissionMenuItem(
        _("Lead to shortlist"),
        admin_url("report_handover"),
        name="leadwizard-handover",
        icon_name="time",
        order=1315,
        permissions=["leadwizard.view_lead"],
    )


def personal_data_item():
    return PermissionMenuItem(
        _("Personal data request"),
        admin_url("privacy_access"),
        name="leadwizard-personal-data",
        icon_name="user",
        order=1320,
        permissions=ACCESS_PERMISSIONS,
    )


def shortlist_queue_item():
    """The consultant's queue, in the main menu beside the leads."""
    return PermissionMenuItem(
        _("Shortlist queue"),
        consult_url("queue"),
        name="leadwizard-shortlist-queue",
        icon_name="list-ol",
        order=271,
        permissions=["leadwizard.view_lead", "leadwizard.change_lead"],
    )
