"""A questionnaire's steps as plain data, and validation of a reader's answers against them.

Everything here is free of the database, so the wizard's rules can be tested on
their own. ``Definition.from_stream`` turns the editor's StreamField into these
objects.
"""

from dataclasses import dataclass, field

from .conf import app_settings
from .question_kinds import MAX_NUMBER, NO, YES, Option, kind_for  # noqa: F401 - MAX_NUMBER, NO, YES for callers


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


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()


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
                    )
                )
            steps.append(Step(data["key"], data["title"], data.get("intro") or "", tuple(questions)))
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

    def clean_step(self, index, data):
        """Validate one step's answers from ``data`` (``getlist``-style mapping).

        Returns ``(answers, errors)``: cleaned values by question key, and
        messages by question key.
        """
        answers, errors = {}, {}
        for question in self.steps[index].questions:
            raw = data.getlist(question.key) if hasattr(data, "getlist") else data.get(question.key, [])
            if isinstance(raw, str):
                raw = [raw]
            value, error = question.clean(raw)
            if error:
                errors[question.key] = error
            elif value is not None:
                answers[question.key] = value
        return answers, errors

    def key_structure(self):
        """The keys of steps, questions and options (with question kinds): what translations must keep."""
        return [(s.key, [(q.key, q.kind, q.option_keys) for q in s.questions]) for s in self.steps]

    def complete_answers(self, answers):
        """True when every required question has a valid stored answer."""
        for question in self.questions:
            value = answers.get(question.key)
            if value is None or value == []:
                if question.required:
                    return False
                continue
            raw = value if isinstance(value, list) else [str(value)]
            cleaned, error = question.clean(raw)
            if error or cleaned != value:
                return False
        return True

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
