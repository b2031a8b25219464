"""The CRM-Auswahl lead wizard: questionnaire, vendor matching and lead capture for Wagtail.

Stands alone: it knows pages only as ``wagtailcore.Page`` and never imports ``articles``.
"""
