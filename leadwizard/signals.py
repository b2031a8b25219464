"""Signals of the lead wizard."""

from django.dispatch import Signal

# Sent once per new lead, after the transaction that saved it has committed.
# Arguments: ``lead``. For integrations of the host site; the lead's own deliveries
# (e-mails, webhooks) are planned in the same transaction as the lead itself.
lead_submitted = Signal()
