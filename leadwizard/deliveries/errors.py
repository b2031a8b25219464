"""How a delivery attempt fails: for now, or for good."""


class DeliveryError(Exception):
    """A failed attempt that may succeed later (server down, HTTP 500, ...)."""


class PermanentFailure(DeliveryError):
    """A failed attempt that retrying cannot fix (lead erased, webhook deleted or switched off)."""
