"""Public URLs of the lead wizard; the host includes them inside ``i18n_patterns``."""

from django.urls import path

from .deliveries import optin, results, unsubscribe
from .wizard import views as wizard_views

app_name = "leadwizard"

urlpatterns = [
    path("step/<int:page_id>/", wizard_views.wizard_step, name="step"),
    path("optin/<str:token>/", optin.optin_confirm, name="optin_confirm"),
    path("results/<str:token>/", results.results_page, name="results"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]
