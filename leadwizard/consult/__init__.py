"""The consultant's workspace in the Wagtail admin: the queue of leads waiting for a shortlist, composing,
previewing and sending a shortlist, notes on a lead, and the dashboard panel.

Views only: what they do is in the operations (``shortlists``, ``timeline``, ``assignment``).
"""
