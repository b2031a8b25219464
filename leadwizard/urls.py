"""Public URLs of the lead wizard; the host includes them inside ``i18n_patterns``."""

from django.urls import path

from . import delivery_views

app_name = "leadwizard"

urlpatterns = [
    path("optin/<str:token>/", delivery_views.optin_confirm, name="optin_confirm"),
]
