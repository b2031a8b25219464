"""Wagtail hooks of the lead exports: the admin URLs of export, progress, status and download.

The "Export CSV" / "Export XLSX" buttons of the leads listing come from
``export_views.LeadIndexView`` (``LeadViewSet.index_view_class``).
"""

from wagtail import hooks

from .export_views import admin_urlpatterns


@hooks.register("register_admin_urls")
def register_export_urls():
    return admin_urlpatterns
