"""Wagtail hooks for the lead reports and the data-protection views (imported by wagtail_hooks)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .privacy_views import ACCESS_PERMISSIONS, LeadEraseView, PersonalDataAccessView
from .reports import ConversionReportView, FunnelReportView


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users holding all of ``permissions``."""

    def __init__(self, *args, permissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = tuple(permissions)

    def is_shown(self, request):
        return request.user.has_perms(self.permissions)


@hooks.register("register_admin_urls")
def register_leadwizard_report_urls():
    return [
        path(
            "leadwizard/reports/conversion/",
            ConversionReportView.as_view(),
            name="leadwizard_report_conversion",
        ),
        path(
            "leadwizard/reports/conversion/results/",
            ConversionReportView.as_view(results_only=True),
            name="leadwizard_report_conversion_results",
        ),
        path("leadwizard/reports/funnel/", FunnelReportView.as_view(), name="leadwizard_report_funnel"),
        path(
            "leadwizard/reports/funnel/results/",
            FunnelReportView.as_view(results_only=True),
            name="leadwizard_report_funnel_results",
        ),
        path("leadwizard/privacy/erase/<int:pk>/", LeadEraseView.as_view(), name="leadwizard_erase_lead"),
        path(
            "leadwizard/privacy/access/", PersonalDataAccessView.as_view(), name="leadwizard_privacy_access"
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_conversion_report_menu_item():
    return PermissionMenuItem(
        _("Leads per source page"),
        reverse("leadwizard_report_conversion"),
        name="leadwizard-conversion",
        icon_name="form",
        order=1300,
        permissions=["leadwizard.view_lead"],
    )


@hooks.register("register_reports_menu_item")
def register_funnel_report_menu_item():
    return PermissionMenuItem(
        _("Wizard funnel"),
        reverse("leadwizard_report_funnel"),
        name="leadwizard-funnel",
        icon_name="list-ol",
        order=1310,
        permissions=["leadwizard.view_lead"],
    )


@hooks.register("register_reports_menu_item")
def register_personal_data_menu_item():
    return PermissionMenuItem(
        _("Personal data request"),
        reverse("leadwizard_privacy_access"),
        name="leadwizard-personal-data",
        icon_name="user",
        order=1320,
        permissions=ACCESS_PERMISSIONS,
    )
