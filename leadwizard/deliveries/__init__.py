"""Deliveries of a new lead: every side effect (an e-mail, a webhook call) as a recorded, retried ``Delivery``.

A lead and its deliveries are saved in one transaction (``planning``), before
anything is sent; each delivery is then attempted by a task (``tasks``), never
raising: the outcome is recorded on the row (``attempts``), and failures are
retried with exponential backoff until ``LEADWIZARD_DELIVERY_MAX_ATTEMPTS``. So a
failing mail server or webhook never loses a lead nor blocks the reader.

What goes out is decided by the delivery channels (``channels``): the sales
notification, the reader's confirmation, the marketing opt-in and the webhooks
by default, chosen by ``LEADWIZARD_DELIVERY_CHANNELS``; a site adds its own.
"""
