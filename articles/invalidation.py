"""Run a cache's ``invalidate`` after the commit of every change that published pages may show.

Shared by the article fragments (``fragment_cache``) and by any host's page
cache: both must forget what they hold when a page is published, unpublished,
moved or deleted, or when a model pages show (authors, topics, images...) is
saved or deleted, and only once the change is committed, so that no app server
renders the old data again into a new entry.
"""

from django.db import transaction


def invalidate_on_change(invalidate, uid, models=()):
    """Connect Wagtail's page signals and ``models``' save and delete to ``invalidate`` after commit.

    ``uid`` names the connections (``dispatch_uid``), so that connecting twice
    connects once. ``models``: model classes or ``app_label.ModelName`` labels.
    """
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    def after_commit(**kwargs):
        transaction.on_commit(invalidate)

    def after_page_delete(sender, instance, **kwargs):
        if isinstance(instance, Page):
            after_commit()

    # Held strongly (weak=False): the receivers are closures that nothing else keeps.
    page_published.connect(after_commit, dispatch_uid=f"{uid}.published", weak=False)
    page_unpublished.connect(after_commit, dispatch_uid=f"{uid}.unpublished", weak=False)
    post_page_move.connect(after_commit, dispatch_uid=f"{uid}.moved", weak=False)
    post_delete.connect(after_page_delete, dispatch_uid=f"{uid}.page_deleted", weak=False)
    for model in models:
        model = apps.get_model(model) if isinstance(model, str) else model
        label = model._meta.label_lower
        post_save.connect(after_commit, sender=model, dispatch_uid=f"{uid}.saved.{label}", weak=False)
        post_delete.connect(after_commit, sender=model, dispatch_uid=f"{uid}.deleted.{label}", weak=False)
