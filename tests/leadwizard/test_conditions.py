"""Conditional questions and steps: which are shown, which answers count, and what editors may set.

Messages are translated strings, so the editor tests check where an error sits and that it
names the key, never its wording.
"""

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from wagtail.blocks import StreamBlockValidationError
from wagtail_localize.models import StringSegment, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from leadwizard.blocks import QuestionnaireStepsBlock
from leadwizard.models import Questionnaire
from leadwizard.questionnaire import NO, YES, Condition, Definition, Option, Question, Step
from tests.factories import QuestionnaireFactory, question

BRANCHES = (Option("one", "Einer"), Option("several", "Mehrere"))
SIZES = (Option("small", "Klein"), Option("large", "Groß"))


def chain(required=True):
    """Three steps where A (yes/no) shows B (choice), and B's "several" shows C (a number)."""
    return Definition.build(
        [
            Step("a", "A", questions=(Question("a", "Filialen?", "yes_no", required=required),)),
            Step(
                "b",
                "B",
                questions=(
                    Question(
                        "b",
                        "Wie viele?",
                        "single",
                        required=required,
                        options=BRANCHES,
                        condition=Condition("a", (YES,)),
                    ),
                ),
            ),
            Step(
                "c",
                "C",
                questions=(
                    Question(
                        "c",
                        "Anzahl?",
                        "number",
                        required=required,
                        min_value=2,
                        condition=Condition("b", ("several",)),
                    ),
                ),
            ),
        ]
    )


# --- Condition.met ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "met"),
    [
        pytest.param({"q": "small"}, True, id="single-answer-listed"),
        pytest.param({"q": "large"}, False, id="single-answer-not-listed"),
        pytest.param({"q": ["large", "small"]}, True, id="multiple-one-item-listed"),
        pytest.param({"q": ["large"]}, False, id="multiple-no-item-listed"),
        pytest.param({"q": []}, False, id="multiple-empty"),
        pytest.param({}, False, id="unanswered"),
        pytest.param({"q": None}, False, id="none"),
        pytest.param({"other": "small"}, False, id="other-question-answered"),
    ],
)
def test_condition_met(answers, met):
    assert Condition("q", ("small",)).met(answers) is met


# --- visibility ---------------------------------------------------------------------------


def test_a_hidden_question_hides_what_depends_on_it():
    definition = chain()
    # B still holds "several" from before the reader changed A to "no": it must not show C.
    answers = {"a": NO, "b": "several", "c": 3}
    assert definition.visible_questions(1, answers) == []
    assert definition.visible_questions(2, answers) == []
    assert definition.visible_step_indexes(answers) == [0]
    assert definition.relevant_answers(answers) == {"a": NO}


def test_each_answer_in_the_chain_shows_the_next_question():
    definition = chain()
    assert definition.visible_step_indexes({}) == [0]
    assert definition.visible_step_indexes({"a": YES}) == [0, 1]
    assert definition.visible_step_indexes({"a": YES, "b": "one"}) == [0, 1]
    assert definition.visible_step_indexes({"a": YES, "b": "several"}) == [0, 1, 2]
    assert [q.key for q in definition.visible_questions(2, {"a": YES, "b": "several"})] == ["c"]
    answers = {"a": YES, "b": "several", "c": 3}
    assert definition.relevant_answers(answers) == answers


def test_relevant_answers_drop_keys_that_are_no_questions_any_more():
    answers = {"a": YES, "removed_question": "x"}
    relevant = chain().relevant_answers(answers)
    assert relevant == {"a": YES}
    assert answers == {"a": YES, "removed_question": "x"}  # a new dict; the caller's stays as it was


def test_a_step_condition_hides_all_its_questions():
    definition = Definition.build(
        [
            Step("size", "Größe", questions=(Question("size", "Größe?", "single", options=SIZES),)),
            Step(
                "large",
                "Groß",
                questions=(
                    Question("departments", "Abteilungen?", "number"),
                    Question("hq", "Sitz?", "yes_no"),
                ),
                condition=Condition("size", ("large",)),
            ),
        ]
    )
    assert definition.visible_step_indexes({"size": "small"}) == [0]
    assert definition.visible_questions(1, {"size": "small"}) == []
    assert [q.key for q in definition.visible_questions(1, {"size": "large"})] == ["departments", "hq"]


def test_a_question_can_depend_on_a_multiple_choice_answer():
    definition = Definition.build(
        [
            Step("uses", "Nutzung", questions=(Question("uses", "Wofür?", "multiple", options=SIZES),)),
            Step(
                "more",
                "Mehr",
                questions=(
                    Question("detail", "Details?", "yes_no", condition=Condition("uses", ("large",))),
                ),
            ),
        ]
    )
    assert definition.visible_step_indexes({"uses": ["small"]}) == [0]
    assert definition.visible_step_indexes({"uses": ["small", "large"]}) == [0, 1]


def test_a_condition_on_the_same_step_is_never_met():
    # The editor refuses this; a questionnaire that has it anyway must not show questions in
    # the middle of a step the reader already sees.
    definition = Definition.build(
        [
            Step(
                "one",
                "Eins",
                questions=(
                    Question("a", "A?", "yes_no"),
                    Question("b", "B?", "yes_no", condition=Condition("a", (YES,))),
                ),
            )
        ]
    )
    assert [q.key for q in definition.visible_questions(0, {"a": YES})] == ["a"]


# --- validating and completing answers ----------------------------------------------------


def test_clean_step_leaves_out_hidden_required_questions():
    definition = chain()
    posted = QueryDict("b=bogus")
    # Without conditions applied (today's callers) the posted "bogus" is an error.
    assert "b" in definition.clean_step(1, posted)[1]
    assert definition.clean_step(1, posted, answers={"a": NO}) == ({}, {})
    assert definition.clean_step(1, QueryDict("b=several"), answers={"a": YES}) == ({"b": "several"}, {})
    assert "b" in definition.clean_step(1, QueryDict(""), answers={"a": YES})[1]


def test_complete_answers_count_only_shown_questions():
    definition = chain()
    assert definition.complete_answers({"a": NO})
    # An answer to a hidden question is ignored, even one that would be invalid.
    assert definition.complete_answers({"a": NO, "b": "gone", "c": 1})
    assert not definition.complete_answers({"a": YES})
    assert not definition.complete_answers({"a": YES, "b": "several"})
    assert definition.complete_answers({"a": YES, "b": "several", "c": 2})
    assert not definition.complete_answers({"a": YES, "b": "several", "c": 1})  # below the smallest number


def test_first_incomplete_step():
    definition = chain()
    assert definition.first_incomplete_step({}) == 0
    assert definition.first_incomplete_step({"a": NO}) is None
    assert definition.first_incomplete_step({"a": YES}) == 1
    assert definition.first_incomplete_step({"a": YES, "b": "one"}) is None
    assert definition.first_incomplete_step({"a": YES, "b": "several"}) == 2
    assert definition.first_incomplete_step({"a": YES, "b": "several", "c": 4}) is None


def test_first_incomplete_step_finds_an_answer_that_is_no_longer_an_option():
    definition = chain(required=False)
    assert definition.first_incomplete_step({}) is None
    assert definition.first_incomplete_step({"a": YES, "b": "removed_option"}) == 1


def test_valid_answers_keep_what_still_fits_after_an_editor_changed_the_questionnaire():
    before = {"a": YES, "b": "several", "c": 5, "old_key": "x"}
    changed = Definition.build(
        [
            Step("a", "A", questions=(Question("a", "Filialen?", "yes_no"),)),
            # "several" was removed as an option.
            Step(
                "b",
                "B",
                questions=(Question("b", "Wie viele?", "single", options=(Option("one", "Einer"),)),),
            ),
            Step("c", "C", questions=(Question("c", "Anzahl?", "number", min_value=2, max_value=4),)),
        ]
    )
    assert changed.valid_answers(before) == {"a": YES}
    assert chain().valid_answers(before) == {"a": YES, "b": "several", "c": 5}


def test_valid_answers_forget_a_renamed_question():
    renamed = Definition.build([Step("a", "A", questions=(Question("branches", "Filialen?", "yes_no"),))])
    assert renamed.valid_answers({"a": YES}) == {}


def test_valid_answers_keep_multiple_choice_and_numbers_as_stored():
    definition = Definition.build(
        [
            Step(
                "s",
                "S",
                questions=(
                    Question("uses", "Wofür?", "multiple", options=SIZES),
                    Question("count", "Wie viele?", "number"),
                ),
            )
        ]
    )
    answers = {"uses": ["small", "large"], "count": 1500}
    assert definition.valid_answers(answers) == answers
    # Stored out of the questionnaire's order: not what the question would store.
    assert definition.valid_answers({"uses": ["large", "small"]}) == {}


# --- the editor's stream and the structure version ----------------------------------------


def item(value, block_type="item"):
    return {"type": block_type, "id": str(uuid.uuid4()), "value": value}


def condition(question_key="", *answer_keys):
    return {"question_key": question_key, "answer_keys": [item(key) for key in answer_keys]}


def conditional(value, question_key, *answer_keys):
    return {**value, "condition": condition(question_key, *answer_keys)}


def step(key, *questions, condition_value=None):
    value = {"key": key, "title": key.title(), "intro": "", "questions": [item(q) for q in questions]}
    if condition_value is not None:
        value["condition"] = condition_value
    return value


def stream(*steps):
    return [item(value, "step") for value in steps]


BRANCHES_QUESTION = question("branches", "Mehrere Niederlassungen?", "yes_no")
SIZE_QUESTION = question("size", "Größe?", "single", options=[("small", "Klein"), ("large", "Groß")])
USES_QUESTION = question(
    "uses", "Wofür?", "multiple", options=[("sales", "Vertrieb"), ("service", "Service")]
)
EMPLOYEES_QUESTION = question("employees", "Beschäftigte?", "number", min_value=1)


def base_steps(conditional_step):
    return stream(
        step("first", BRANCHES_QUESTION, SIZE_QUESTION, USES_QUESTION, EMPLOYEES_QUESTION),
        conditional_step,
        step("later", question("later", "Später?", "yes_no")),
    )


def clean(raw):
    block = QuestionnaireStepsBlock()
    return block.clean(block.to_python(raw))


def test_definition_reads_conditions_from_the_stream():
    block = QuestionnaireStepsBlock()
    sites = conditional(question("sites", "Wie viele Standorte?", "number", min_value=2), "branches", "yes")
    value = block.to_python(
        base_steps(step("second", sites, condition_value=condition("size", "small", "large")))
    )
    definition = Definition.from_stream(value)
    assert definition.question("sites").condition == Condition("branches", ("yes",))
    assert definition.steps[1].condition == Condition("size", ("small", "large"))
    assert definition.question("branches").condition is None  # no condition stored before conditions existed
    assert definition.steps[0].condition is None


def test_an_empty_condition_means_always_shown():
    value = QuestionnaireStepsBlock().to_python(
        stream(step("first", conditional(question("q", "Frage?", "yes_no"), "")))
    )
    assert Definition.from_stream(value).question("q").condition is None


def test_key_structure_holds_the_conditions():
    def structure(answer_keys):
        sites = conditional(question("sites", "Standorte?", "number"), "size", *answer_keys)
        return Definition.from_stream(QuestionnaireStepsBlock().to_python(base_steps(step("second", sites))))

    assert structure(["large"]).key_structure() != structure(["small", "large"]).key_structure()


def test_key_structure_without_conditions_is_as_before_conditions_existed():
    # Hashed into the structure version of readers' sessions: unchanged, nobody is sent back on update.
    definition = Definition.build(
        [
            Step(
                "s",
                "S",
                questions=(
                    Question("size", "Größe?", "single", options=SIZES),
                    Question("n", "N?", "number"),
                ),
            )
        ]
    )
    assert definition.key_structure() == [
        ("s", [("size", "single", ["small", "large"]), ("n", "number", [])])
    ]


# --- the editor's validation --------------------------------------------------------------


def condition_errors(raw, step_index, question_index=None):
    """The errors on the condition's fields of a step (or of one of its questions), by field name."""
    with pytest.raises(StreamBlockValidationError) as error:
        clean(raw)
    step_error = error.value.block_errors[step_index]
    if question_index is not None:
        step_error = step_error.block_errors["questions"].block_errors[question_index]
    return step_error.block_errors["condition"].block_errors


def messages(error):
    return " ".join(str(message) for message in ValidationError(error).messages)


@pytest.mark.parametrize(
    "conditional_step",
    [
        pytest.param(
            step("second", conditional(question("sites", "Standorte?", "number"), "branches", "yes")),
            id="question-condition-on-a-yes-no-question",
        ),
        pytest.param(
            step(
                "second",
                question("sites", "Standorte?", "number"),
                condition_value=condition("branches", "no"),
            ),
            id="step-condition",
        ),
        pytest.param(
            step(
                "second", conditional(question("sites", "Standorte?", "number"), "uses", "service", "sales")
            ),
            id="several-options-of-a-multiple-choice",
        ),
    ],
)
def test_conditions_on_earlier_questions_are_accepted(conditional_step):
    clean(base_steps(conditional_step))


def test_a_condition_on_an_unknown_question_is_refused():
    sites = conditional(question("sites", "Standorte?", "number"), "filialen", "yes")
    errors = condition_errors(base_steps(step("second", question("x", "X?", "yes_no"), sites)), 1, 1)
    assert "filialen" in messages(errors["question_key"])


def test_a_condition_on_a_question_of_the_same_step_is_refused():
    sites = conditional(question("sites", "Standorte?", "number"), "here", "yes")
    errors = condition_errors(base_steps(step("second", question("here", "Hier?", "yes_no"), sites)), 1, 1)
    assert "here" in messages(errors["question_key"])


def test_a_condition_on_a_later_step_is_refused():
    sites = conditional(question("sites", "Standorte?", "number"), "later", "yes")
    errors = condition_errors(base_steps(step("second", sites)), 1, 0)
    assert "later" in messages(errors["question_key"])


def test_a_step_condition_on_its_own_question_is_refused():
    own = step("second", question("own", "Eigene?", "yes_no"), condition_value=condition("own", "yes"))
    errors = condition_errors(base_steps(own), 1)
    assert "own" in messages(errors["question_key"])


def test_an_answer_that_is_not_an_option_is_refused_where_it_is():
    sites = conditional(question("sites", "Standorte?", "number"), "size", "large", "huge")
    errors = condition_errors(base_steps(step("second", sites)), 1, 0)
    list_errors = errors["answer_keys"].block_errors
    assert list(list_errors) == [1]
    text = messages(list_errors[1])
    assert "huge" in text and "small, large" in text


def test_a_yes_no_condition_takes_only_yes_or_no():
    sites = conditional(question("sites", "Standorte?", "number"), "branches", "ja")
    errors = condition_errors(base_steps(step("second", sites)), 1, 0)
    assert "yes, no" in messages(errors["answer_keys"].block_errors[0])


def test_a_number_question_cannot_decide_a_condition():
    sites = conditional(question("sites", "Standorte?", "number"), "employees", "yes")
    errors = condition_errors(base_steps(step("second", sites)), 1, 0)
    assert "employees" in messages(errors["question_key"])


def test_a_question_key_needs_an_answer():
    sites = conditional(question("sites", "Standorte?", "number"), "branches")
    errors = condition_errors(base_steps(step("second", sites)), 1, 0)
    assert "branches" in messages(errors["answer_keys"])


def test_answers_need_a_question_key():
    sites = {**question("sites", "Standorte?", "number"), "condition": condition("", "yes")}
    errors = condition_errors(base_steps(step("second", sites)), 1, 0)
    assert "question_key" in errors


# --- translations -------------------------------------------------------------------------


def conditional_questionnaire():
    sites = conditional(question("sites", "Wie viele Standorte?", "number", min_value=2), "branches", "yes")
    raw = base_steps(step("second", sites, condition_value=condition("size", "large")))
    return QuestionnaireFactory(steps=json.dumps(raw))


@pytest.mark.django_db
def test_a_translation_keeps_the_conditions(site_tree, django_capture_on_commit_callbacks):
    questionnaire = conditional_questionnaire()
    with django_capture_on_commit_callbacks(execute=True):
        translate_object(questionnaire, [site_tree.en])
    source = TranslationSource.objects.get_for_instance(questionnaire)
    offered = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    assert "Wie viele Standorte?" in offered
    assert not offered & {"branches", "yes", "size", "large"}
    with django_capture_on_commit_callbacks(execute=True):
        Translation.objects.get(source=source, target_locale=site_tree.en).save_target()

    english = Questionnaire.objects.get(translation_key=questionnaire.translation_key, locale=site_tree.en)
    assert english.definition.question("sites").condition == Condition("branches", ("yes",))
    assert english.definition.steps[1].condition == Condition("size", ("large",))
    assert english.definition.key_structure() == questionnaire.definition.key_structure()


@pytest.mark.django_db
def test_a_translation_with_other_conditions_is_rejected(site_tree):
    questionnaire = conditional_questionnaire()
    english = questionnaire.copy_for_translation(site_tree.en)
    english.full_clean()
    raw = english.steps.raw_data
    raw[1]["value"]["condition"]["answer_keys"][0]["value"] = "small"
    english.steps = json.dumps(list(raw))
    with pytest.raises(ValidationError) as error:
        english.full_clean()
    assert "steps" in error.value.message_dict
