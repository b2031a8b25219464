"""A question nobody has answered yet is rendered once per process and language (``wizard.markup``).

The kept markup is what the template gives; a question with the reader's values
or an error is rendered for the request; an edited question is rendered anew.
"""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from leadwizard.wizard import markup
from tests.factories import QuestionnaireFactory, wizard_article
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    markup.forget_all()
    questionnaire = QuestionnaireFactory()
    page, block_id = wizard_article(site_tree.index, questionnaire)
    yield questionnaire, page, block_id
    markup.forget_all()


@pytest.fixture
def renders(monkeypatch):
    """The question templates rendered, by field id."""
    rendered = []

    def counting(template, context=None, *args, **kwargs):
        rendered.append(context["item"]["field_id"])
        return render_to_string(template, context, *args, **kwargs)

    monkeypatch.setattr(markup, "render_to_string", counting)
    return rendered


def question_markup(html, field_id):
    start = html.index('<div class="leadwizard__question')
    end = html.index('<div class="leadwizard__actions">')
    assert field_id in html[start:end]
    return html[start:end]


def test_unanswered_questions_are_rendered_once_and_as_the_template_gives_them(article, renders):
    _questionnaire, page, block_id = article
    first = Client().get(page.url).content.decode()
    assert renders  # the first step's questions
    rendered_first = list(renders)
    second = Client().get(page.url).content.decode()
    assert renders == rendered_first  # not again for the second reader
    field_id = rendered_first[0]
    assert question_markup(first, field_id) == question_markup(second, field_id)

    # The kept markup is the template's for the same item.
    [(question, html)] = [kept for key, kept in markup._kept.items() if key[3] == field_id]
    item = {
        "question": question,
        "field_name": f"q-{question.key}",
        "field_id": field_id,
        "values": [],
        "error": None,
    }
    assert html == render_to_string(markup.QUESTION_TEMPLATE, {"item": item, "question": question})


def test_answers_and_errors_are_rendered_for_the_reader(article, renders):
    _questionnaire, page, block_id = article
    run = WizardRun(Client(), page, block_id)
    run.answer(industry="handel")
    run.post(action="back")  # the first step again, with the reader's answer checked
    assert 'value="handel" checked' in " ".join(run.html.split())
    fresh = Client().get(page.url).content.decode()
    assert "checked" not in fresh.split('class="leadwizard__form"', 1)[1].split("</form>", 1)[0]

    run = WizardRun(Client(), page, block_id)
    run.start()
    run.post({})  # nothing chosen: an error for a required question
    assert "leadwizard__error" in run.html
    assert "leadwizard__error" not in Client().get(page.url).content.decode()


def test_an_edited_question_and_another_language_are_rendered_anew(article):
    questionnaire, page, _block_id = article
    html = Client().get(page.url).content.decode()
    steps = questionnaire.steps.get_prep_value()
    label = steps[0]["value"]["questions"][0]["value"]["label"]
    assert label in html
    steps[0]["value"]["questions"][0]["value"]["label"] = "Ihre Branche, neu gefragt"
    questionnaire.steps = steps
    questionnaire.save()
    html = Client().get(page.url).content.decode()
    assert "Ihre Branche, neu gefragt" in html and label not in html

    several = next(q for step in questionnaire.definition.steps for q in step.questions if q.multiple)
    item = {"question": several, "field_name": "q-x", "field_id": "x", "values": [], "error": None}
    with translation.override("de"):
        german = markup.question_html(item)
    with translation.override("en"):
        english = markup.question_html(item)
    assert "(Mehrfachnennung möglich)" in german and "(several answers possible)" in english


def test_with_no_entries_every_question_is_rendered_for_every_request(article, renders, settings):
    settings.LEADWIZARD_QUESTION_MARKUP_ENTRIES = 0
    _questionnaire, page, _block_id = article
    Client().get(page.url)
    first = len(renders)
    Client().get(page.url)
    assert first and len(renders) == 2 * first
    assert not markup._kept
