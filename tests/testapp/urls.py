"""The test host's URLs: the admin, the lead wizard's public URLs and Wagtail's pages, in German and English."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]
urlpatterns += i18n_patterns(
    path("leadwizard/", include("leadwizard.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
