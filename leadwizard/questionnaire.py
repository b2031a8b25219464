"""A questionnaire's steps as plain data, and validation of a reader's answers against them.

Everything here is free of the database, so the wizard's rules can be tested on
their own. ``Definition.from_stream`` turns the editor's StreamField into these
objects.

A question or a whole step may carry a ``Condition``: it is shown only when an
answer on an earlier step is one of the condition's answer keys. Visibility is
decided in questionnaire order, so a hidden question also hides whatever depends
on it. ``answers`` below are always the stored answers by question key (a string
for single choice and yes/no, a list for multiple choice, an int for numbers).
"""

from dataclasses import dataclass, field

from .conf import app_settings
from .question_kinds import MAX_NUMBER, NO, YES, Option, kind_for  # noqa: F401 - MAX_NUMBER, NO, YES for callers


@dataclass(frozen=True)
class Condition:
    """Shown only when the question ``question_key`` was answered with one of ``answer_keys``."""

    question_key: str
    answer_keys: tuple[str, ...]

    @classmethod
    def from_value(cls, value):
        """The condition of a ``ConditionBlock`` value, or None when it names no question (always shown)."""
        if not value or not value.get("question_key"):
            return None
        return cls(value["question_key"], tuple(value.get("answer_keys") or ()))

    def met(self, answers):
        """Whether ``answers`` show what this condition guards.

        ``answers`` must hold only answers to shown questions (``Definition.relevant_answers``):
        an answer left over from a hidden question would otherwise still count.
        """
        value = answers.get(self.question_key)
        if isinstance(value, (list, tuple)):
            return any(item in self.answer_keys for item in value)
        return value in self.answer_keys

    def as_tuple(self):
        return (self.question_key, self.answer_keys)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str
    required: bool = True
    role: str = ""
    explanation_title: str = ""
    explanation: str = ""
    min_value: int | None = None
    max_value: int | None = None
    options: tuple[Option, ...] = ()
    condition: Condition | None = None

    @property
    def handler(self):
        """The question's kind (``question_kinds``): how it is asked, validated and shown."""
        return kind_for(self.kind)

    @property
    def choices(self):
        return self.handler.choices(self)

    @property
    def option_keys(self):
        return [option.key for option in self.choices]

    @property
    def multiple(self):
        return self.handler.multiple

    @property
    def template(self):
        return self.handler.template

    def label_for(self, value):
        """The label a reader saw for a stored answer (list answers joined with commas)."""
        if value is None or value == "" or value == []:
            return ""
        return self.handler.label_for(self, value)

    def clean(self, raw):
        """Validate the raw form values (a list of strings) for this question.

        Returns ``(value, error)``: the cleaned answer (None when empty) and a
        reader-facing message in the active language, or None.
        """
        values = [item.strip() for item in raw if isinstance(item, str) and item.strip()]
        return self.handler.clean(self, values)

    def accepts(self, value):
        """Whether a stored answer is still one this question would store (options and bounds may have changed)."""
        raw = value if isinstance(value, list) else [str(value)]
        cleaned, error = self.clean(raw)
        return error is None and cleaned == value

    def answered_well(self, value):
        """Whether a stored answer (or its absence) lets the reader move on."""
        if value is None or value == []:
            return not self.required
        return self.accepts(value)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    condition: Condition | None = None


@dataclass(frozen=True)
class Definition:
    steps: tuple[Step, ...] = ()
    _questions: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_stream(cls, stream_value):
        """Build from a ``Questionnaire.steps`` StreamValue (``Questionnaire.definition`` caches it)."""
        steps = []
        for child in stream_value:
            data = child.value
            questions = []
            for question in data["questions"]:
                options = tuple(
                    Option(option["key"], option["label"]) for option in question.get("options") or []
                )
                questions.append(
                    Question(
                        key=question["key"],
                        label=question["label"],
                        kind=question["kind"],
                        required=bool(question.get("required")),
                        role=question.get("role") or "",
                        explanation_title=question.get("explanation_title") or "",
                        explanation=question.get("explanation") or "",
                        min_value=question.get("min_value"),
                        max_value=question.get("max_value"),
                        options=options,
                        condition=Condition.from_value(question.get("condition")),
                    )
                )
            steps.append(
                Step(
                    data["key"],
                    data["title"],
                    data.get("intro") or "",
                    tuple(questions),
                    condition=Condition.from_value(data.get("condition")),
                )
            )
        return cls.build(steps)

    @classmethod
    def build(cls, steps):
        definition = cls(tuple(steps))
        definition._questions.update(
            {question.key: question for step in definition.steps for question in step.questions}
        )
        return definition

    @property
    def questions(self):
        return list(self._questions.values())

    def question(self, key):
        return self._questions.get(key)

    def question_for_role(self, role):
        return next((q for q in self._questions.values() if q.role == role), None)

    def option_keys_for_role(self, role):
        question = self.question_for_role(role)
        return question.option_keys if question else []

    def _shown(self, answers):
        """The keys of the questions shown for ``answers``, and the answers to them.

        Decided step by step in questionnaire order, with only the earlier steps'
        shown answers counting: a condition on a hidden, unanswered, later or
        same-step question is never met, as the wizard asks a step's questions together.
        """
        shown, relevant = set(), {}
        for step in self.steps:
            step_shown = step.condition is None or step.condition.met(relevant)
            shown_here = [
                question.key
                for question in step.questions
                if step_shown and (question.condition is None or question.condition.met(relevant))
            ]
            shown.update(shown_here)
            relevant.update({key: answers[key] for key in shown_here if key in answers})
        return shown, relevant

    def visible_questions(self, index, answers):
        """The questions of step ``index`` that are shown for ``answers``."""
        shown, _relevant = self._shown(answers)
        return [question for question in self.steps[index].questions if question.key in shown]

    def visible_step_indexes(self, answers):
        """Indexes of the steps with at least one question shown for ``answers``."""
        shown, _relevant = self._shown(answers)
        return [
            index
            for index, step in enumerate(self.steps)
            if any(question.key in shown for question in step.questions)
        ]

    def relevant_answers(self, answers):
        """A new dict of the answers to shown questions only (what a lead should keep), in questionnaire order."""
        return self._shown(answers)[1]

    def valid_answers(self, answers):
        """A new dict of the answers the current questions would still store as they are.

        For a reader who is mid-way when an editor changes the questionnaire: an
        answer to a removed or renamed question, or with an option that is gone or a
        number now out of bounds, is dropped and asked again; every other answer stays.
        """
        kept = {}
        for question in self.questions:
            value = answers.get(question.key)
            if value is not None and value != [] and question.accepts(value):
                kept[question.key] = value
        return kept

    def clean_step(self, index, data, answers=None):
        """Validate one step's answers from ``data`` (``getlist``-style mapping).

        Only the questions shown for ``answers`` (the answers stored so far) are
        read; with ``answers=None`` every question of the step is, conditions aside.
        Returns ``(answers, errors)``: cleaned values by question key, and
        messages by question key.
        """
        questions = self.steps[index].questions if answers is None else self.visible_questions(index, answers)
        cleaned, errors = {}, {}
        for question in questions:
            raw = data.getlist(question.key) if hasattr(data, "getlist") else data.get(question.key, [])
            if isinstance(raw, str):
                raw = [raw]
            value, error = question.clean(raw)
            if error:
                errors[question.key] = error
            elif value is not None:
                cleaned[question.key] = value
        return cleaned, errors

    def key_structure(self):
        """The keys of steps, questions and options, with question kinds and conditions: what translations must keep.

        A condition is appended only where there is one, so that questionnaires
        without conditions keep the structure version they had before conditions
        existed, and readers mid-way are not sent back to the start by an update.
        """

        def with_condition(item, condition):
            return (*item, condition.as_tuple()) if condition else item

        return [
            with_condition(
                (s.key, [with_condition((q.key, q.kind, q.option_keys), q.condition) for q in s.questions]),
                s.condition,
            )
            for s in self.steps
        ]

    def first_incomplete_step(self, answers):
        """The index of the first step with a shown question that still needs an answer, or None.

        A question needs one when it is required and unanswered, or when its
        stored answer is no longer valid (say, an editor removed the option).
        """
        shown, _relevant = self._shown(answers)
        for index, step in enumerate(self.steps):
            for question in step.questions:
                if question.key in shown and not question.answered_well(answers.get(question.key)):
                    return index
        return None

    def complete_answers(self, answers):
        """True when every shown required question has a valid stored answer; hidden questions do not count."""
        return self.first_incomplete_step(answers) is None

    def labelled_answers(self, answers):
        """The answers grouped by step, with the labels as shown, for leads and e-mails."""
        grouped = []
        for step in self.steps:
            rows = [
                {
                    "key": question.key,
                    "question": question.label,
                    "value": answers.get(question.key),
                    "answer": question.label_for(answers.get(question.key)),
                }
                for question in step.questions
            ]
            grouped.append({"key": step.key, "title": step.title, "questions": rows})
        return grouped


def fill_counts(text, match_count):
    """Editors' ``{count}`` (vendors found) and ``{shortlist_count}`` (vendors the shortlist will hold).

    Only these two placeholders are replaced, so any other brace in rich text stays as written.
    """
    shortlist_count = min(match_count, app_settings.SHORTLIST_SIZE)
    return (
        (text or "").replace("{count}", str(match_count)).replace("{shortlist_count}", str(shortlist_count))
    )
