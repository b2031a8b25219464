"""Delivery channels: what goes out for a new lead, one class per kind, chosen by dotted path.

``LEADWIZARD_DELIVERY_CHANNELS`` lists the channels in force (see ``conf.py``);
each is a ``base.DeliveryChannel`` with a ``kind`` stored on its deliveries, a
``plan(lead)`` that names the targets and a ``send(delivery, lead)`` that makes
one attempt. docs/extending.md shows how a site adds one.
"""

from functools import lru_cache

from django.utils.module_loading import import_string

from ...conf import app_settings


@lru_cache(maxsize=8)
def _load(paths):
    return tuple(import_string(path)() for path in paths)


def get_channels():
    """The channels in force, in the order of ``LEADWIZARD_DELIVERY_CHANNELS``."""
    return _load(tuple(app_settings.DELIVERY_CHANNELS))


#: Channels that operations use on demand (a consultant's shortlist, an assignment notice);
#: they plan nothing for a new lead, so they are not part of ``LEADWIZARD_DELIVERY_CHANNELS``.
ON_DEMAND_CHANNELS = (
    "leadwizard.deliveries.channels.email.ShortlistMail",
    "leadwizard.deliveries.channels.email.AssignmentMail",
    "leadwizard.deliveries.channels.email.VendorHandoverMail",
)


def channel_for(kind):
    """The channel that makes deliveries of ``kind``, or None when none does (any more)."""
    channels = (*get_channels(), *_load(ON_DEMAND_CHANNELS))
    return next((channel for channel in channels if channel.kind == kind), None)
