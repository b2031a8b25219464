"""Every admin URL of the lead wizard besides the leads viewset's, mounted once below /admin/leadwizard/.

``wagtail_hooks.py`` includes this module with the namespace ``leadwizard_admin``;
``admin_urls.admin_url(name)`` reverses its names.
"""

from django.urls import path, re_path

from .consent import WithdrawMarketingView
from .deliveries import retry_delivery
from .exports import (
    export_download_view,
    export_leads_view,
    export_menu_view,
    export_progress_view,
    export_status_view,
)
from .privacy import LeadEraseView, PersonalDataAccessView
from .reports import ConversionReportView, FunnelReportView, HandoverReportView

app_name = "leadwizard_admin"

urlpatterns = [
    path("exports/", export_menu_view, name="export_menu"),
    re_path(r"^exports/(?P<format>csv|xlsx)/$", export_leads_view, name="export_leads"),
    path("exports/<int:job_id>/", export_progress_view, name="export_progress"),
    path("exports/<int:job_id>/status/", export_status_view, name="export_status"),
    path("exports/<int:job_id>/download/", export_download_view, name="export_download"),
    path("deliveries/<int:pk>/retry/", retry_delivery, name="retry_delivery"),
    path("reports/conversion/", ConversionReportView.as_view(), name="report_conversion"),
    path(
        "reports/conversion/results/",
        ConversionReportView.as_view(results_only=True),
        name="report_conversion_results",
    ),
    path("reports/funnel/", FunnelReportView.as_view(), name="report_funnel"),
    path(
        "reports/funnel/results/", FunnelReportView.as_view(results_only=True), name="report_funnel_results"
    ),
    path("reports/handover/", HandoverReportView.as_view(), name="report_handover"),
    path(
        "reports/handover/results/",
        HandoverReportView.as_view(results_only=True),
        name="report_handover_results",
    ),
    path("privacy/erase/<int:pk>/", LeadEraseView.as_view(), name="erase_lead"),
    path("privacy/access/", PersonalDataAccessView.as_view(), name="privacy_access"),
    path("consent/withdraw/<int:pk>/", WithdrawMarketingView.as_view(), name="withdraw_marketing"),
]
