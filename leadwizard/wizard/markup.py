"""The markup of a wizard question nobody has answered yet, rendered once per process and language.

Rendering the questions was most of rendering the wizard, and every step shows
questions the reader has not answered yet: the next step's after a step, all of
the first on the page. Such a question's markup depends only on the question,
its field's name and id, and the language, so each process keeps it, keyed by
the question object (a questionnaire's parsed definition is shared while its
stored text is unchanged, ``flow.parsed_definition``; an edit makes new
objects). A question with values or an error is rendered for the request.
``LEADWIZARD_QUESTION_MARKUP_ENTRIES`` bounds what is kept (0: nothing).

``leadwizard/includes/question.html`` and the templates it includes see
``item`` and ``question`` only (and the active language).
"""

import threading
from collections import OrderedDict

from django.template.loader import render_to_string
from django.utils import translation

from ..conf import app_settings

QUESTION_TEMPLATE = "leadwizard/includes/question.html"

_lock = threading.Lock()
_kept = OrderedDict()  # (id(question), language, field name, field id) -> (question, html)


def question_html(item):
    """The markup of one question of a step: ``item`` has question, field_name, field_id, values, error."""
    question = item["question"]
    context = {"item": item, "question": question}
    size = app_settings.QUESTION_MARKUP_ENTRIES
    if item["values"] or item["error"] or size <= 0:
        return render_to_string(QUESTION_TEMPLATE, context)
    key = (id(question), translation.get_language(), item["field_name"], item["field_id"])
    with _lock:
        kept = _kept.get(key)
    if kept is not None and kept[0] is question:  # the same object, not one that took a freed id
        return kept[1]
    html = render_to_string(QUESTION_TEMPLATE, context)
    with _lock:
        _kept[key] = (question, html)
        while len(_kept) > size:
            _kept.popitem(last=False)
    return html


def forget_all():
    with _lock:
        _kept.clear()
