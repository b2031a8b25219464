"""Signals of the lead wizard."""

from django.dispatch import Signal

# Sent once per new lead, after the transaction that saved it has committed.
# Arguments: ``lead``. Deliveries (e-mails, webhooks) hang off this signal.
lead_submitted = Signal()
