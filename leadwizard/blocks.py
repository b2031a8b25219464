"""Blocks that define a questionnaire's steps: questions, options, keys and their matching roles.

The block that puts the wizard on a page is ``wizard.block.LeadWizardBlock``.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .criteria import role_choices
from .question_kinds import kind_choices, kind_for

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
        return value
