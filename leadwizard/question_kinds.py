"""Kinds of questions: how an answer is asked, validated and shown again, one class per kind.

The questionnaire editor offers every kind of ``LEADWIZARD_QUESTION_KINDS``
(dotted paths); the wizard renders a question with its kind's ``template`` and
validates the posted values with its ``clean``; leads and exports show answers
with ``label_for``. A site adds a kind by subclassing ``QuestionKind`` and listing
it in the setting (docs/extending.md). Nothing here touches the database.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.formats import get_format, number_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .conf import app_settings

YES, NO = "yes", "no"
MAX_NUMBER = 10_000_000
# No bound a questionnaire needs is longer; longer answers are refused before int() reads them.
MAX_NUMBER_DIGITS = 9
# Typed or pasted between digit groups in every language, whatever its own separator.
_SPACE_SEPARATORS = (" ", "\u00a0", "\u202f")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
CHOICE_TEMPLATE = "leadwizard/questions/choice.html"


@dataclass(frozen=True)
class Option:
    """One answer a reader can choose: its stable key and its label in the questionnaire's language."""

    key: str
    label: str


class QuestionKind:
    """One kind of question. ``key`` is stored in questionnaires: never change it once questions use it."""

    key = ""
    label = ""
    #: The editor must give the question at least two options.
    uses_options = False
    #: Several answers at once (a list is stored).
    multiple = False
    #: The template of the reader's input; it gets ``item`` (the question, its field name, values, error).
    template = CHOICE_TEMPLATE

    def choices(self, question):
        """The options a reader chooses from (``questionnaire.Option``)."""
        return question.options

    def required_message(self, question):
        return _("Please choose an answer.")

    def clean(self, question, values):
        """``(value, error)`` for the posted values (stripped, non-empty strings); the value None when empty."""
        if len(values) > 1:
            return None, _("Please give only one answer.")
        if not values:
            return None, (self.required_message(question) if question.required else None)
        return self.clean_one(question, values[0])

    def clean_one(self, question, value):
        if value not in question.option_keys:
            return None, _("Please choose one of the options shown.")
        return value, None

    def label_for(self, question, value):
        """The answer as the reader saw it: option labels (a list's joined with commas)."""
        labels = {option.key: option.label for option in question.choices}
        if isinstance(value, list):
            return ", ".join(labels.get(item, item) for item in value)
        return labels.get(value, value)

    def check_definition(self, question_value):
        """Errors of the editor's question block by field name (``QuestionBlock.clean`` adds its own)."""
        return {}


class SingleChoice(QuestionKind):
    key = "single"
    label = gettext_lazy("Single choice")
    uses_options = True


class OneOfSeveral(QuestionKind):
    key = "one_of"
    label = gettext_lazy("One of several (e.g. B2B / B2C / both)")
    uses_options = True


class MultipleChoice(QuestionKind):
    key = "multiple"
    label = gettext_lazy("Multiple choice")
    uses_options = True
    multiple = True

    def clean(self, question, values):
        unknown = [item for item in values if item not in question.option_keys]
        if unknown:
            return None, _("Please choose only from the options shown.")
        # Keep the questionnaire's order and drop repeats.
        chosen = [key for key in question.option_keys if key in values]
        if not chosen:
            return None, (_("Please choose at least one option.") if question.required else None)
        return chosen, None


class YesNo(QuestionKind):
    key = "yes_no"
    label = gettext_lazy("Yes / no")

    def choices(self, question):
        return (Option(YES, _("Yes")), Option(NO, _("No")))


def _group_sizes(grouping):
    """The digit-group sizes from the right, read like ``django.utils.numberformat.format`` reads NUMBER_GROUPING."""
    try:
        intervals = [int(interval) for interval in grouping]
    except TypeError:
        intervals = [int(grouping)]
    # A language that does not group (0) still has readers who write thousands apart.
    size = intervals[0] if intervals and intervals[0] > 0 else 3
    yield size
    for interval in intervals[1:]:
        size = interval if interval > 0 else size
        yield size
    while True:
        yield size


def _parse_whole_number(text):
    """The int ``text`` writes in the active language's format, or None.

    Only the language's own thousands separator (never its decimal separator,
    which would make "1,5" a silent 15) and spaces group digits, and only in
    the language's group sizes: "1.50" is a decimal written loosely, not 150.
    """
    separators = set(_SPACE_SEPARATORS)
    thousand_separator = get_format("THOUSAND_SEPARATOR")
    if thousand_separator and thousand_separator != get_format("DECIMAL_SEPARATOR"):
        separators.add(thousand_separator)
    groups = re.split("|".join(map(re.escape, separators)), text)
    if not all(_DIGITS.fullmatch(group) for group in groups):
        return None
    if len(groups) > 1:
        sizes = _group_sizes(get_format("NUMBER_GROUPING"))
        if any(len(group) != next(sizes) for group in reversed(groups[1:])):
            return None
        if len(groups[0]) > next(sizes):
            return None
    digits = "".join(groups)
    if len(digits) > MAX_NUMBER_DIGITS:
        return None
    return int(digits)


class WholeNumber(QuestionKind):
    """A whole number within the question's bounds, written as the reader's language writes numbers.

    The wizard activates the reader's language before validating, so German
    "1.500" and English "1,500" both mean 1500, and the messages show the
    bounds the same way. Leads store the int.
    """

    key = "number"
    label = gettext_lazy("Whole number")
    template = "leadwizard/questions/number.html"

    def choices(self, question):
        return ()

    def required_message(self, question):
        return _("Please enter a number.")

    def clean_one(self, question, value):
        minimum = question.min_value if question.min_value is not None else 0
        maximum = question.max_value if question.max_value is not None else MAX_NUMBER
        out_of_range = _("Please enter a number between %(min)s and %(max)s.") % {
            "min": number_format(minimum, force_grouping=True),
            "max": number_format(maximum, force_grouping=True),
        }
        if value.startswith("-") and _parse_whole_number(value[1:]) is not None:
            return None, out_of_range
        number = _parse_whole_number(value)
        if number is None:
            return None, _("Please enter a whole number, e.g. 25.")
        if number < minimum or number > maximum:
            return None, out_of_range
        return number, None

    def label_for(self, question, value):
        return str(value)

    def check_definition(self, question_value):
        minimum, maximum = question_value.get("min_value"), question_value.get("max_value")
        if minimum is not None and maximum is not None and minimum > maximum:
            return {"max_value": _("Must not be smaller than the smallest number.")}
        return {}


@lru_cache(maxsize=4)
def _load(paths):
    return {kind.key: kind for kind in (import_string(path)() for path in paths)}


def get_kinds():
    """The kinds in force by key, in the order of ``LEADWIZARD_QUESTION_KINDS``."""
    return _load(tuple(app_settings.QUESTION_KINDS))


def kind_for(key):
    """The kind of ``key``; an unknown key (a kind a site removed) is treated as a single choice."""
    return get_kinds().get(key) or SingleChoice()


def kind_choices():
    """The "Kind of answer" choices of the questionnaire editor."""
    return [(kind.key, kind.label) for kind in get_kinds().values()]
