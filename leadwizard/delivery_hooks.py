"""Admin URLs for deliveries: a marketer's "Retry now" on the lead inspect page."""

from django.urls import path
from wagtail import hooks

from .delivery_views import retry_delivery


@hooks.register("register_admin_urls")
def register_delivery_admin_urls():
    return [
        path(
            "leadwizard/deliveries/<int:pk>/retry/",
            retry_delivery,
            name="leadwizard_retry_delivery",
        ),
    ]
