"""Blocks that define a questionnaire's steps, and the block that puts the wizard on a page."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")

QUESTION_KINDS = [
    ("single", _("Single choice")),
    ("multiple", _("Multiple choice")),
    ("number", _("Whole number")),
    ("yes_no", _("Yes / no")),
    ("one_of", _("One of several (e.g. B2B / B2C / both)")),
]
CHOICE_KINDS = {"single", "multiple", "one_of"}

# What a question means for the vendor matching; vendors store their attributes per role.
MATCHING_ROLES = [
    ("", _("Not used for matching")),
    ("industry", _("Industry")),
    ("employees", _("Number of employees")),
    ("users", _("Number of CRM users")),
    ("uses", _("Main uses")),
    ("integrations", _("Integrations")),
    ("intro_time", _("Time for the introduction")),
    ("market", _("B2B / B2C")),
    ("multi_branch", _("Several branches")),
    ("international", _("International")),
    ("german_hq", _("Headquarters or hosting in Germany")),
    ("time_tracking", _("Time tracking")),
]


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
    kind = blocks.ChoiceBlock(label=_("Kind of answer"), choices=QUESTION_KINDS, default="single")
    required = blocks.BooleanBlock(label=_("Answer required"), required=False, default=True)
    role = blocks.ChoiceBlock(
        label=_("Use for matching"),
        choices=MATCHING_ROLES,
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
        kind = value.get("kind")
        options = value.get("options") or []
        if kind in CHOICE_KINDS:
            if len(options) < 2:
                errors["options"] = ValidationError(_("Give at least two options."))
            keys = [option["key"] for option in options]
            if len(keys) != len(set(keys)):
                errors["options"] = ValidationError(_("Each option needs its own key."))
        minimum, maximum = value.get("min_value"), value.get("max_value")
        if kind == "number" and minimum is not None and maximum is not None and minimum > maximum:
            errors["max_value"] = ValidationError(_("Must not be smaller than the smallest number."))
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


class LeadWizardBlock(blocks.StructBlock):
    """The CRM-Auswahl wizard inside a page: readers answer, see matching vendors and leave contact details."""

    questionnaire = SnippetChooserBlock(
        "leadwizard.Questionnaire",
        label=_("Questionnaire"),
        help_text=_("Readers see the version in their language when one exists."),
    )
    heading = blocks.CharBlock(
        label=_("Heading"),
        required=False,
        max_length=150,
        help_text=_("Optional; the questionnaire's title is used when empty."),
    )

    def get_context(self, value, parent_context=None):
        from django.middleware.csrf import get_token

        from .wizard import Wizard

        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        page = context.get("page")
        block_id = str(context.get("id") or "")
        if request is None or page is None or not block_id or value.get("questionnaire") is None:
            context["wizard_unavailable"] = True
            return context
        # The serve hook has handled this request's POST already; otherwise start fresh.
        handled = getattr(request, "leadwizard_results", {}).get(block_id)
        context.update(handled if handled is not None else Wizard(request, page, block_id, value).handle())
        context["csrf_token"] = get_token(request)
        return context

    class Meta:
        icon = "form"
        label = _("CRM selection wizard")
        template = "leadwizard/wizard_block.html"
        description = _("The multi-step questionnaire that finds matching CRM vendors and captures a lead")
