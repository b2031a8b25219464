"""Blocks that define a questionnaire's steps: questions, options, keys and their matching roles.

The block that puts the wizard on a page is ``wizard.block.LeadWizardBlock``.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from .criteria import role_choices
from .question_kinds import kind_choices, kind_for
from .questionnaire import Definition

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


class KeyBlock(blocks.FieldBlock):
    """A stable machine key. Deliberately not a CharBlock: translation tools must never touch it."""

    def __init__(self, required=True, help_text=None, **kwargs):
        from django import forms

        self.field = forms.RegexField(
            regex=KEY_PATTERN,
            required=required,
            max_length=50,
            help_text=help_text,
            error_messages={
                "invalid": _("Use lowercase letters, digits and underscores, starting with a letter.")
            },
        )
        super().__init__(**kwargs)

    class Meta:
        icon = "key"


class OptionBlock(blocks.StructBlock):
    key = KeyBlock(
        label=_("Key"),
        help_text=_("Stable identifier stored with leads and used by vendors; never translated."),
    )
    label = blocks.CharBlock(label=_("Label"), max_length=120)

    class Meta:
        icon = "radio-full"
        label = _("Option")


class ConditionBlock(blocks.StructBlock):
    """Shows a question or step only after an earlier answer; keys, not labels, so every translation keeps it."""

    question_key = KeyBlock(
        required=False,
        label=_("Key of an earlier question"),
        help_text=_("The question on an earlier step whose answer decides. Leave empty to show this always."),
    )
    answer_keys = blocks.ListBlock(
        KeyBlock(label=_("Answer key")),
        label=_("Answers that show this"),
        default=[],
        help_text=_(
            "Option keys of that question; any one of them is enough. For a yes/no question: 'yes' or 'no'."
        ),
    )

    class Meta:
        icon = "view"
        label = _("Show only if")
        collapsed = True

    def clean(self, value):
        value = super().clean(value)
        if value.get("question_key") and not value.get("answer_keys"):
            raise StructBlockValidationError(
                block_errors={
                    "answer_keys": ValidationError(
                        _("Give at least one answer of '%(key)s' that shows this."),
                        params={"key": value["question_key"]},
                    )
                }
            )
        if value.get("answer_keys") and not value.get("question_key"):
            raise StructBlockValidationError(
                block_errors={
                    "question_key": ValidationError(
                        _("Give the key of the question these answers belong to, or remove the answers.")
                    )
                }
            )
        return value


class QuestionBlock(blocks.StructBlock):
    """One question of a step."""

    key = KeyBlock(
        label=_("Key"),
        help_text=_(
            "Stable identifier of the question, e.g. 'employees'. Leads and exports use it; "
            "it stays the same in every language."
        ),
    )
    label = blocks.CharBlock(label=_("Question"), max_length=200)
    kind = blocks.ChoiceBlock(label=_("Kind of answer"), choices=kind_choices, default="single")
    required = blocks.BooleanBlock(label=_("Answer required"), required=False, default=True)
    role = blocks.ChoiceBlock(
        label=_("Use for matching"),
        choices=role_choices,
        required=False,
        help_text=_("Which vendor attribute this answer is compared with."),
    )
    explanation_title = blocks.CharBlock(
        label=_("Explanation title"),
        required=False,
        max_length=120,
        help_text=_("E.g. 'Warum dies bei der CRM-Auswahl wichtig ist:'"),
    )
    explanation = blocks.TextBlock(
        label=_("Explanation"), required=False, help_text=_("Shown next to the question.")
    )
    min_value = blocks.IntegerBlock(
        label=_("Smallest number"), required=False, help_text=_("For whole numbers only.")
    )
    max_value = blocks.IntegerBlock(
        label=_("Largest number"), required=False, help_text=_("For whole numbers only.")
    )
    options = blocks.ListBlock(
        OptionBlock(),
        label=_("Options"),
        default=[],
        help_text=_("For single, multiple and one-of-several choices (at least two)."),
    )
    condition = ConditionBlock()

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        kind = kind_for(value.get("kind"))
        options = value.get("options") or []
        if kind.uses_options:
            if len(options) < 2:
                errors["options"] = ValidationError(_("Give at least two options."))
            keys = [option["key"] for option in options]
            if len(keys) != len(set(keys)):
                errors["options"] = ValidationError(_("Each option needs its own key."))
        for name, message in kind.check_definition(value).items():
            errors[name] = ValidationError(message)
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class StepBlock(blocks.StructBlock):
    """A page of the wizard holding one or more questions."""

    key = KeyBlock(label=_("Key"), help_text=_("Stable identifier of the step, e.g. 'industry'."))
    title = blocks.CharBlock(label=_("Title"), max_length=150)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    condition = ConditionBlock()
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Step")


class QuestionnaireStepsBlock(blocks.StreamBlock):
    step = StepBlock()

    class Meta:
        min_num = 1

    def clean(self, value):
        value = super().clean(value)
        seen_steps, seen_questions = set(), set()
        for child in value:
            step = child.value
            if step["key"] in seen_steps:
                raise blocks.StreamBlockValidationError(
                    non_block_errors=ValidationError(
                        _("The step key '%(key)s' is used twice."), params={"key": step["key"]}
                    )
                )
            seen_steps.add(step["key"])
            for question in step["questions"]:
                if question["key"] in seen_questions:
                    raise blocks.StreamBlockValidationError(
                        non_block_errors=ValidationError(
                            _("The question key '%(key)s' is used twice."),
                            params={"key": question["key"]},
                        )
                    )
                seen_questions.add(question["key"])
        step_errors = self.condition_errors(Definition.from_stream(value))
        if step_errors:
            raise blocks.StreamBlockValidationError(block_errors=step_errors)
        return value

    @staticmethod
    def condition_errors(definition):
        """Errors of conditions that cannot work, by step index, nested down to the condition's field.

        A condition may only depend on a question of an earlier step: the wizard
        shows a step's questions together, before any of them is answered.
        """
        step_of = {q.key: index for index, step in enumerate(definition.steps) for q in step.questions}
        step_errors = {}
        for index, step in enumerate(definition.steps):
            errors = {}
            problem = _condition_problem(step.condition, index, definition, step_of)
            if problem:
                errors["condition"] = problem
            question_errors = {}
            for position, question in enumerate(step.questions):
                problem = _condition_problem(question.condition, index, definition, step_of)
                if problem:
                    question_errors[position] = StructBlockValidationError(
                        block_errors={"condition": problem}
                    )
            if question_errors:
                errors["questions"] = ListBlockValidationError(block_errors=question_errors)
            if errors:
                step_errors[index] = StructBlockValidationError(block_errors=errors)
        return step_errors


def _condition_problem(condition, step_index, definition, step_of):
    """A ``StructBlockValidationError`` for the condition's field at fault, or None when it can work."""
    if condition is None:
        return None
    key = condition.question_key
    if key not in step_of:
        return _field_error("question_key", _("There is no question with the key '%(key)s'."), {"key": key})
    if step_of[key] >= step_index:
        return _field_error(
            "question_key",
            _(
                "The question '%(key)s' is not on an earlier step. A condition can only depend on "
                "answers given on the steps before."
            ),
            {"key": key},
        )
    options = definition.question(key).option_keys
    if not options:
        return _field_error(
            "question_key",
            _("The question '%(key)s' has no options to choose from, so it cannot decide a condition."),
            {"key": key},
        )
    unknown = {
        position: ValidationError(
            _("The question '%(question)s' has no answer '%(answer)s'; its answers are: %(options)s."),
            params={"question": key, "answer": answer, "options": ", ".join(options)},
        )
        for position, answer in enumerate(condition.answer_keys)
        if answer not in options
    }
    if unknown:
        return StructBlockValidationError(
            block_errors={"answer_keys": ListBlockValidationError(block_errors=unknown)}
        )
    return None


def _field_error(name, message, params):
    return StructBlockValidationError(block_errors={name: ValidationError(message, params=params)})
