"""The base class of delivery channels."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PlannedDelivery:
    """One delivery a channel wants for a lead: where it goes, and the webhook it belongs to, if any."""

    target: str
    webhook: object = None


class DeliveryChannel:
    """One kind of side effect of a new lead.

    ``plan`` runs inside the transaction that saves the lead and must only read;
    ``send`` makes one attempt and raises ``errors.DeliveryError`` to be retried or
    ``errors.PermanentFailure`` to give up; it may update ``delivery.target``.
    """

    #: Stored on each ``Delivery`` of this channel; never change it once deliveries exist.
    kind = ""
    #: What the admin calls these deliveries.
    label = ""

    def plan(self, lead):
        """The deliveries this lead needs from this channel: a list of ``PlannedDelivery``."""
        return []

    def send(self, delivery, lead):
        raise NotImplementedError
