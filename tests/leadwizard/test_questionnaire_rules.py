"""Validation rules of ``leadwizard.questionnaire``, without a database.

Messages are translated strings, so the tests only check whether there is an
error, never its wording.
"""

import pytest
from django.http import QueryDict

from leadwizard.questionnaire import MAX_NUMBER, NO, YES, Definition, Option, Question, Step

OPTIONS = (Option("handel", "Handel"), Option("handwerk", "Handwerk"), Option("it", "IT & Software"))


def question(kind, **overrides):
    """A question of ``kind`` with three options for choice kinds; ``required`` defaults to True."""
    data = {"key": "q", "label": "Frage?", "kind": kind}
    if kind in {"single", "multiple", "one_of"}:
        data["options"] = OPTIONS
    data.update(overrides)
    return Question(**data)


OK, ERROR = "ok", "error"


def check(result, expected_value, outcome):
    value, error = result
    if outcome == OK:
        assert error is None
        assert value == expected_value
    else:
        assert error is not None
        assert str(error)  # a non-empty message
        assert value is None


# --- single choice and one_of -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["single", "one_of"])
@pytest.mark.parametrize(
    ("required", "raw", "value", "outcome"),
    [
        pytest.param(True, ["handel"], "handel", OK, id="known-key"),
        pytest.param(True, ["  it "], "it", OK, id="whitespace-stripped"),
        pytest.param(True, [], None, ERROR, id="required-nothing"),
        pytest.param(True, [""], None, ERROR, id="required-empty-string"),
        pytest.param(True, ["   "], None, ERROR, id="required-blank"),
        pytest.param(True, [None, 3], None, ERROR, id="required-non-strings-ignored"),
        pytest.param(False, [], None, OK, id="optional-nothing"),
        pytest.param(False, [""], None, OK, id="optional-empty-string"),
        pytest.param(True, ["gastro"], None, ERROR, id="unknown-key"),
        pytest.param(False, ["gastro"], None, ERROR, id="optional-unknown-key"),
        pytest.param(True, ["Handel"], None, ERROR, id="label-is-not-a-key"),
        pytest.param(True, ["handel", "handwerk"], None, ERROR, id="two-values"),
        pytest.param(True, ["handel", "handel"], None, ERROR, id="repeated-value"),
        pytest.param(False, ["handel", "it"], None, ERROR, id="optional-two-values"),
        pytest.param(True, ["handel", ""], "handel", OK, id="second-value-empty"),
    ],
)
def test_single_choice(kind, required, raw, value, outcome):
    check(question(kind, required=required).clean(raw), value, outcome)


# --- yes / no -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "raw", "value", "outcome"),
    [
        pytest.param(True, ["yes"], YES, OK, id="yes"),
        pytest.param(True, ["no"], NO, OK, id="no"),
        pytest.param(True, [" no "], NO, OK, id="whitespace-stripped"),
        pytest.param(True, [], None, ERROR, id="required-nothing"),
        pytest.param(False, [], None, OK, id="optional-nothing"),
        pytest.param(True, ["ja"], None, ERROR, id="german-word-is-not-a-key"),
        pytest.param(True, ["Yes"], None, ERROR, id="case-sensitive"),
        pytest.param(True, ["true"], None, ERROR, id="boolean-word"),
        pytest.param(True, ["yes", "no"], None, ERROR, id="both"),
        pytest.param(True, ["yes", "yes"], None, ERROR, id="repeated"),
    ],
)
def test_yes_no(required, raw, value, outcome):
    check(question("yes_no", required=required).clean(raw), value, outcome)


def test_yes_no_ignores_configured_options():
    q = question("yes_no", options=OPTIONS)
    assert q.option_keys == [YES, NO]
    assert q.clean(["handel"])[1] is not None


# --- multiple choice ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "raw", "value", "outcome"),
    [
        pytest.param(True, ["handel"], ["handel"], OK, id="one"),
        pytest.param(True, ["it", "handel"], ["handel", "it"], OK, id="questionnaire-order-kept"),
        pytest.param(
            True, ["it", "handwerk", "handel"], ["handel", "handwerk", "it"], OK, id="all-reordered"
        ),
        pytest.param(True, ["it", "it", "handel", "it"], ["handel", "it"], OK, id="duplicates-dropped"),
        pytest.param(True, [" it ", ""], ["it"], OK, id="blank-items-dropped"),
        pytest.param(True, [], None, ERROR, id="required-nothing"),
        pytest.param(True, ["", "  "], None, ERROR, id="required-only-blanks"),
        pytest.param(False, [], None, OK, id="optional-nothing"),
        pytest.param(True, ["handel", "gastro"], None, ERROR, id="one-unknown-key"),
        pytest.param(False, ["gastro"], None, ERROR, id="optional-unknown-key"),
    ],
)
def test_multiple_choice(required, raw, value, outcome):
    check(question("multiple", required=required).clean(raw), value, outcome)


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "raw", "value", "outcome"),
    [
        pytest.param({}, ["25"], 25, OK, id="plain"),
        pytest.param({}, [" 25 "], 25, OK, id="whitespace-stripped"),
        pytest.param({}, ["1.000"], 1000, OK, id="german-thousands-dot"),
        pytest.param({}, ["1.000.000"], 1_000_000, OK, id="german-millions-dots"),
        pytest.param({}, ["1 000"], 1000, OK, id="thousands-space"),
        pytest.param({}, ["1\u202f000"], 1000, OK, id="thousands-narrow-nbsp"),
        pytest.param({}, ["0"], 0, OK, id="zero-default-minimum"),
        pytest.param({}, ["007"], 7, OK, id="leading-zeros"),
        pytest.param({}, [str(MAX_NUMBER)], MAX_NUMBER, OK, id="default-maximum-inclusive"),
        pytest.param({}, [str(MAX_NUMBER + 1)], None, ERROR, id="above-default-maximum"),
        pytest.param({}, ["abc"], None, ERROR, id="letters"),
        pytest.param({}, ["25 Personen"], None, ERROR, id="number-with-words"),
        pytest.param({}, ["2,5"], None, ERROR, id="decimal-comma"),
        pytest.param({}, ["-5"], None, ERROR, id="negative"),
        pytest.param({}, ["+5"], None, ERROR, id="plus-sign"),
        pytest.param({}, ["1e3"], None, ERROR, id="exponent"),
        pytest.param({}, ["1_000"], None, ERROR, id="underscore"),
        pytest.param({}, ["123456789"], None, ERROR, id="nine-digits-above-maximum"),
        pytest.param({"max_value": 10**9}, ["123456789"], 123456789, OK, id="nine-digits-allowed"),
        pytest.param({"max_value": 10**12}, ["1234567890"], None, ERROR, id="ten-digits-too-long"),
        pytest.param(
            {"max_value": 10**12}, ["1.234.567.890"], None, ERROR, id="ten-digits-with-dots-too-long"
        ),
        pytest.param({}, ["9" * 400], None, ERROR, id="very-long-digits"),
        pytest.param({"min_value": 1, "max_value": 100_000}, ["1"], 1, OK, id="at-min"),
        pytest.param({"min_value": 1, "max_value": 100_000}, ["100.000"], 100_000, OK, id="at-max"),
        pytest.param({"min_value": 1, "max_value": 100_000}, ["0"], None, ERROR, id="below-min"),
        pytest.param({"min_value": 1, "max_value": 100_000}, ["100001"], None, ERROR, id="above-max"),
        pytest.param({"min_value": 5}, ["4"], None, ERROR, id="only-min-set"),
        pytest.param({"max_value": 5}, ["0"], 0, OK, id="only-max-set-default-min-zero"),
        pytest.param({}, ["1", "2"], None, ERROR, id="two-values"),
        pytest.param({}, [], None, ERROR, id="required-nothing"),
        pytest.param({}, [""], None, ERROR, id="required-empty"),
        pytest.param({"required": False}, [], None, OK, id="optional-nothing"),
        pytest.param({"required": False}, ["abc"], None, ERROR, id="optional-still-validated"),
    ],
)
def test_number(bounds, raw, value, outcome):
    check(question("number", **bounds).clean(raw), value, outcome)


@pytest.mark.parametrize("raw", ["²", "٣", "1.5", "1.50", "12.34.567", "1,000", "1 5"])
def test_number_rejects_non_ascii_digits_and_misplaced_separators(raw):
    value, error = question("number").clean([raw])
    assert value is None
    assert error is not None


@pytest.mark.parametrize(
    ("raw", "value"), [("1.500", 1500), ("1 500", 1500), ("1.234.567", 1234567), ("007", 7)]
)
def test_number_accepts_german_thousands_separators(raw, value):
    assert question("number").clean([raw]) == (value, None)


# --- label_for ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        pytest.param("single", "handel", "Handel", id="single-label"),
        pytest.param("one_of", "it", "IT & Software", id="one-of-label"),
        pytest.param("single", "gone", "gone", id="unknown-key-shown-as-is"),
        pytest.param("multiple", ["handel", "it"], "Handel, IT & Software", id="multiple-joined"),
        pytest.param("multiple", ["handel", "gone"], "Handel, gone", id="multiple-with-unknown"),
        pytest.param("number", 1000, "1000", id="number-as-digits"),
        pytest.param("number", 0, "0", id="number-zero-shown"),
        pytest.param("single", None, "", id="none-empty"),
        pytest.param("single", "", "", id="empty-string-empty"),
        pytest.param("multiple", [], "", id="empty-list-empty"),
    ],
)
def test_label_for(kind, value, expected):
    assert question(kind).label_for(value) == expected


@pytest.mark.parametrize("answer", [YES, NO])
def test_label_for_yes_no_uses_translated_choice_label(answer):
    q = question("yes_no")
    expected = {option.key: option.label for option in q.choices}[answer]
    assert q.label_for(answer) == expected
    assert expected  # a non-empty label


# --- a small definition -------------------------------------------------------------------

DEFINITION = Definition.build(
    [
        Step(
            "company",
            "Unternehmen",
            questions=(
                Question("branche", "Branche?", "single", options=OPTIONS),
                Question("mitarbeitende", "Mitarbeitende?", "number", min_value=1, max_value=100_000),
                Question("notiz", "Anmerkung?", "one_of", required=False, options=(Option("x", "X"),)),
            ),
        ),
        Step(
            "needs",
            "Anforderungen",
            questions=(
                Question(
                    "einsatz",
                    "Einsatz?",
                    "multiple",
                    options=(
                        Option("sales", "Vertrieb"),
                        Option("service", "Service"),
                        Option("marketing", "Marketing"),
                    ),
                ),
                Question("zeiterfassung", "Zeiterfassung?", "yes_no"),
                Question(
                    "schnittstellen",
                    "Schnittstellen?",
                    "multiple",
                    required=False,
                    options=(Option("datev", "DATEV"),),
                ),
            ),
        ),
    ]
)

VALID = {
    "branche": "handel",
    "mitarbeitende": 1000,
    "einsatz": ["sales", "marketing"],
    "zeiterfassung": "yes",
}


# --- clean_step ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "data", "answers", "error_keys"),
    [
        pytest.param(
            0,
            {"branche": ["handel"], "mitarbeitende": ["1.000"], "notiz": ["x"]},
            {"branche": "handel", "mitarbeitende": 1000, "notiz": "x"},
            set(),
            id="step-1-all-valid",
        ),
        pytest.param(
            0,
            {"branche": ["handel"], "mitarbeitende": ["25"]},
            {"branche": "handel", "mitarbeitende": 25},
            set(),
            id="optional-missing-not-stored",
        ),
        pytest.param(
            0,
            {"branche": "handwerk", "mitarbeitende": "7"},
            {"branche": "handwerk", "mitarbeitende": 7},
            set(),
            id="plain-strings-accepted",
        ),
        pytest.param(
            0,
            {"branche": ["gastro"], "mitarbeitende": ["0"]},
            {},
            {"branche", "mitarbeitende"},
            id="every-question-reported",
        ),
        pytest.param(
            0,
            {"branche": ["handel", "it"], "mitarbeitende": ["12"]},
            {"mitarbeitende": 12},
            {"branche"},
            id="valid-answers-kept-beside-errors",
        ),
        pytest.param(0, {}, {}, {"branche", "mitarbeitende"}, id="empty-data"),
        pytest.param(
            1,
            {"einsatz": ["marketing", "sales", "sales"], "zeiterfassung": ["no"], "branche": ["gastro"]},
            {"einsatz": ["sales", "marketing"], "zeiterfassung": "no"},
            set(),
            id="step-2-only-its-own-questions",
        ),
        pytest.param(
            1,
            {"einsatz": [], "zeiterfassung": ["vielleicht"], "schnittstellen": ["datev"]},
            {"schnittstellen": ["datev"]},
            {"einsatz", "zeiterfassung"},
            id="step-2-errors",
        ),
    ],
)
def test_clean_step(index, data, answers, error_keys):
    cleaned, errors = DEFINITION.clean_step(index, data)
    assert cleaned == answers
    assert set(errors) == error_keys
    assert all(errors.values())


def test_clean_step_with_querydict():
    data = QueryDict("einsatz=service&einsatz=sales&zeiterfassung=yes&schnittstellen=datev")
    cleaned, errors = DEFINITION.clean_step(1, data)
    assert errors == {}
    assert cleaned == {"einsatz": ["sales", "service"], "zeiterfassung": "yes", "schnittstellen": ["datev"]}


def test_clean_step_querydict_repeated_single_value_is_an_error():
    data = QueryDict("branche=handel&branche=handel&mitarbeitende=3")
    cleaned, errors = DEFINITION.clean_step(0, data)
    assert set(errors) == {"branche"}
    assert cleaned == {"mitarbeitende": 3}


# --- complete_answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "complete"),
    [
        pytest.param(VALID, True, id="required-only"),
        pytest.param({**VALID, "notiz": "x", "schnittstellen": ["datev"]}, True, id="with-optionals"),
        pytest.param({**VALID, "schnittstellen": []}, True, id="optional-multiple-empty-list"),
        pytest.param({**VALID, "zeiterfassung": "no"}, True, id="no-is-an-answer"),
        pytest.param({}, False, id="nothing"),
        pytest.param({k: v for k, v in VALID.items() if k != "einsatz"}, False, id="required-missing"),
        pytest.param({**VALID, "branche": None}, False, id="required-none"),
        pytest.param({**VALID, "branche": "gastro"}, False, id="unknown-option"),
        pytest.param({**VALID, "notiz": "y"}, False, id="optional-invalid"),
        pytest.param({**VALID, "mitarbeitende": "1000"}, False, id="number-stored-as-string"),
        pytest.param({**VALID, "mitarbeitende": 0}, False, id="number-out-of-range"),
        pytest.param({**VALID, "einsatz": ["marketing", "sales"]}, False, id="multiple-wrong-order"),
        pytest.param({**VALID, "einsatz": ["sales", "sales"]}, False, id="multiple-duplicates"),
        pytest.param({**VALID, "einsatz": []}, False, id="required-multiple-empty"),
        pytest.param({**VALID, "zeiterfassung": "ja"}, False, id="yes-no-invalid"),
        pytest.param({**VALID, "unbekannt": "egal"}, True, id="extra-keys-ignored"),
    ],
)
def test_complete_answers(answers, complete):
    assert DEFINITION.complete_answers(answers) is complete


def test_cleaned_steps_are_complete():
    answers = {}
    for index, data in enumerate(
        [
            {"branche": ["it"], "mitarbeitende": ["2.500"]},
            {"einsatz": ["service", "sales"], "zeiterfassung": ["no"]},
        ]
    ):
        cleaned, errors = DEFINITION.clean_step(index, data)
        assert errors == {}
        answers.update(cleaned)
    assert DEFINITION.complete_answers(answers) is True


# --- labelled_answers ---------------------------------------------------------------------


def test_labelled_answers_shape():
    grouped = DEFINITION.labelled_answers({**VALID, "schnittstellen": ["datev"]})
    assert [step["key"] for step in grouped] == ["company", "needs"]
    assert grouped[0] == {
        "key": "company",
        "title": "Unternehmen",
        "questions": [
            {"key": "branche", "question": "Branche?", "value": "handel", "answer": "Handel"},
            {"key": "mitarbeitende", "question": "Mitarbeitende?", "value": 1000, "answer": "1000"},
            {"key": "notiz", "question": "Anmerkung?", "value": None, "answer": ""},
        ],
    }
    needs = {row["key"]: row for row in grouped[1]["questions"]}
    assert list(needs) == ["einsatz", "zeiterfassung", "schnittstellen"]
    assert needs["einsatz"]["answer"] == "Vertrieb, Marketing"
    assert needs["einsatz"]["value"] == ["sales", "marketing"]
    assert needs["zeiterfassung"]["value"] == "yes"
    assert needs["zeiterfassung"]["answer"] == DEFINITION.question("zeiterfassung").label_for("yes")
    assert needs["schnittstellen"]["answer"] == "DATEV"


def test_labelled_answers_without_answers_keeps_every_question():
    grouped = DEFINITION.labelled_answers({})
    rows = [row for step in grouped for row in step["questions"]]
    assert len(rows) == len(DEFINITION.questions) == 6
    assert all(row["value"] is None and row["answer"] == "" for row in rows)


# --- definition lookups -------------------------------------------------------------------


def test_definition_lookups():
    assert [q.key for q in DEFINITION.questions] == [
        "branche",
        "mitarbeitende",
        "notiz",
        "einsatz",
        "zeiterfassung",
        "schnittstellen",
    ]
    assert DEFINITION.question("einsatz").kind == "multiple"
    assert DEFINITION.question("fehlt") is None
    assert DEFINITION.question_for_role("industry") is None
    assert DEFINITION.option_keys_for_role("industry") == []
