"""The page a wizard request is for, read by id: the step view's and a page cache's (``serving.serve_place``).

Each process may keep the pages it read for ``LEADWIZARD_PAGE_LOCAL_SECONDS``:
every step and every reader's place read its page, body and all, and that read
was the largest part of the database's work in a wizard. A kept page is shared
by the requests of the process and nothing the wizard does changes it (its
blocks are parsed once, which helps all the more). Publishing, unpublishing,
moving or deleting a page, changing a view restriction or saving a
questionnaire or vendor in this process forgets every kept page at once (``forget_all``,
connected in ``LeadWizardConfig.ready``); other processes read a page again
when their copy is older than the setting.
"""

import time

from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import Locale, Page, PageViewRestriction

from ..conf import app_settings
from .kept import KeptForAWhile

# Page id → content type id, per process: a Wagtail page never changes its type, so the page of a
# step is read in one query of its own model. Checked on every read all the same (``live_page``).
_PAGE_TYPES = {}
_PAGE_TYPES_MAX = 10_000
# (page model, database) → the SQL of ``live_page``'s query and its parameters, compiled once per process.
_STATEMENTS = {}
_PAGE_ID_SLOT = -987_654_321  # stands for the page id among the compiled query's parameters


def _page_statement(model, using):
    """The query of ``live_page`` for ``model``: built and compiled by the ORM once, then only executed.

    Building and compiling it took two thirds of the query's time in a step, more than
    the database took to answer it.
    """
    key = (model, using)
    if key not in _STATEMENTS:
        covering = PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
        aliased = Page.objects.filter(
            path=Substr(OuterRef("path"), 1, Length("path")), alias_of__isnull=False
        )
        query = (
            model.objects.using(using)
            .live()
            .filter(pk=_PAGE_ID_SLOT)
            .annotate(
                leadwizard_locale_code=F("locale__language_code"),
                may_be_restricted=Exists(covering) | Exists(aliased),
            )
            .query
        )
        _STATEMENTS[key] = query.sql_with_params()
    return _STATEMENTS[key]


# Pages are large (body and all): a process keeps at most this many.
_kept = KeptForAWhile(max_entries=256)


def live_page(page_id):
    """The live page ``page_id`` as its specific model with its locale, or None; one query once its type is known.

    The page carries ``may_be_restricted``: whether a view restriction could cover
    it (one on the page or an ancestor, or an alias among them, whose restrictions
    are its source's), found in the same query. With ``LEADWIZARD_PAGE_LOCAL_SECONDS``
    a page read that long ago or less is reused (the module's docstring).
    """
    seconds = app_settings.PAGE_LOCAL_SECONDS
    if seconds <= 0:
        return _read_live_page(page_id)
    now = time.monotonic()
    kept = _kept.fresh([page_id], seconds, now)
    if page_id in kept:
        return kept[page_id]
    page = _read_live_page(page_id)
    if page is None:
        _kept.forget(page_id)
    else:
        _kept.keep({page_id: page}, seconds, now)
    return page


#: Drop every kept page: connected to publishing, unpublishing (deleting a live page unpublishes it
#: first), moving, view restrictions, and saving a questionnaire or vendor (``LeadWizardConfig.ready``).
forget_all = _kept.forget_all


def _read_live_page(page_id):
    content_type_id = _PAGE_TYPES.get(page_id)
    if content_type_id is None:
        content_type_id = Page.objects.filter(pk=page_id).values_list("content_type_id", flat=True).first()
        if content_type_id is None:
            return None
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None or not issubclass(model, Page):
        return None
    using = router.db_for_read(model)
    sql, params = _page_statement(model, using)
    params = tuple(page_id if value == _PAGE_ID_SLOT else value for value in params)
    page = next(iter(model.objects.raw(sql, params).using(using)), None)
    if page is None or page.content_type_id != content_type_id:
        _PAGE_TYPES.pop(page_id, None)  # gone, or the id was given to a new page (SQLite reuses ids)
        return None if page is None else _read_live_page(page_id)
    page.locale = Locale.from_db(
        using, ["id", "language_code"], [page.locale_id, page.leadwizard_locale_code]
    )
    if len(_PAGE_TYPES) >= _PAGE_TYPES_MAX:
        _PAGE_TYPES.clear()
    _PAGE_TYPES[page_id] = content_type_id
    return page


def is_public_for(page, request):
    """Whether ``request`` may see ``page``: Wagtail's view restrictions, read only where one may apply."""
    if not page.may_be_restricted:
        return True
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())
