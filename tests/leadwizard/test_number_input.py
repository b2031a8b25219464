"""Whole-number answers are read and explained in the reader's language, without a database.

The wizard activates the reader's language before validating; these tests do
the same with ``translation.override``. Which message a refusal gets is told
apart by its English wording, so the refusals are checked under "en" or
compared with the message of a known case.
"""

import pytest
from django.utils import translation

from leadwizard import question_kinds
from leadwizard.questionnaire import Question

WHOLE_NUMBER = "Please enter a whole number, e.g. 25."


def question(**overrides):
    return Question(**{"key": "q", "label": "Wie viele?", "kind": "number", **overrides})


def clean(language, raw, **bounds):
    with translation.override(language):
        return question(**bounds).clean([raw])


def messages(language, **bounds):
    """The whole-number and the range message of ``language``, to compare refusals with."""
    with translation.override(language):
        whole_number = question(**bounds).clean(["abc"])[1]
        out_of_range = question(**bounds).clean(["-1"])[1]
    assert whole_number != out_of_range
    return whole_number, out_of_range


@pytest.mark.parametrize(
    ("language", "raw", "value"),
    [
        pytest.param("de", "1500", 1500, id="de-plain"),
        pytest.param("de", "1.500", 1500, id="de-dot"),
        pytest.param("de", "1.234.567", 1_234_567, id="de-dots"),
        pytest.param("de", "1 500", 1500, id="de-space"),
        pytest.param("de", "1\u00a0500", 1500, id="de-nbsp"),
        pytest.param("de", "1\u202f500", 1500, id="de-narrow-nbsp"),
        pytest.param("de", "1.234 567", 1_234_567, id="de-mixed"),
        pytest.param("en", "1500", 1500, id="en-plain"),
        pytest.param("en", "1,500", 1500, id="en-comma"),
        pytest.param("en", "1,234,567", 1_234_567, id="en-commas"),
        pytest.param("en", "1 500", 1500, id="en-space"),
        pytest.param("en", "1\u00a0500", 1500, id="en-nbsp"),
        pytest.param("en", "1\u202f500", 1500, id="en-narrow-nbsp"),
        pytest.param("en", "007", 7, id="en-leading-zeros"),
        pytest.param("fr", "1\u00a0500", 1500, id="fr-nbsp"),
        pytest.param("fr", "1\u202f500", 1500, id="fr-narrow-nbsp"),
        pytest.param("de-ch", "1\u00a0500", 1500, id="de-ch-nbsp"),
    ],
)
def test_accepted(language, raw, value):
    assert clean(language, raw) == (value, None)


@pytest.mark.parametrize(
    ("language", "raw"),
    [
        pytest.param("de", "2,5", id="de-decimal-comma"),
        pytest.param("de", "1,500", id="de-english-thousands-is-a-decimal"),
        pytest.param("de", "1.5", id="de-short-group"),
        pytest.param("de", "1.50", id="de-two-digit-group"),
        pytest.param("de", "1.5000", id="de-long-group"),
        pytest.param("de", "1234.567", id="de-long-leading-group"),
        pytest.param("de", "12.34.567", id="de-misplaced-dot"),
        pytest.param("de", "1..500", id="de-double-dot"),
        pytest.param("de", "1.500.", id="de-trailing-dot"),
        pytest.param("de", ".500", id="de-leading-dot"),
        pytest.param("de", "1 5", id="de-short-space-group"),
        pytest.param("en", "2.5", id="en-decimal-point"),
        pytest.param("en", "1.500", id="en-german-thousands-is-a-decimal"),
        pytest.param("en", "1.000", id="en-decimal-zeros"),
        pytest.param("en", "1,50", id="en-two-digit-group"),
        pytest.param("en", "1,5", id="en-short-group"),
        pytest.param("en", "1\t500", id="en-tab"),
        pytest.param("en", "1'500", id="en-apostrophe"),
        pytest.param("en", "1_500", id="en-underscore"),
        pytest.param("en", "+5", id="en-plus"),
        pytest.param("en", "1e3", id="en-exponent"),
        pytest.param("en", "²", id="en-superscript-digit"),
        pytest.param("en", "٣", id="en-arabic-indic-digit"),
        pytest.param("fr", "1.500", id="fr-dot-is-no-separator"),
        pytest.param("fr", "1,500", id="fr-decimal-comma"),
        pytest.param("de-ch", "1.500", id="de-ch-groups-with-spaces-only"),
    ],
)
def test_refused_as_not_a_whole_number(language, raw):
    whole_number, _ = messages(language)
    assert clean(language, raw) == (None, whole_number)


def test_whole_number_message_is_the_existing_msgid():
    assert clean("en", "2.5") == (None, WHOLE_NUMBER)
    assert clean("en", "1.500") == (None, WHOLE_NUMBER)


@pytest.mark.parametrize(
    ("language", "raw"),
    [
        pytest.param("de", "-5", id="de-negative"),
        pytest.param("de", "-1.500", id="de-negative-grouped"),
        pytest.param("en", "-1,500", id="en-negative-grouped"),
    ],
)
def test_negative_numbers_get_the_range_message(language, raw):
    _, out_of_range = messages(language, min_value=1, max_value=10_000)
    assert clean(language, raw, min_value=1, max_value=10_000) == (None, out_of_range)


def test_negative_decimal_is_not_a_whole_number():
    assert clean("de", "-2,5") == (None, messages("de")[0])


@pytest.mark.parametrize(
    ("language", "raw", "expected"),
    [
        pytest.param("de", "10.001", "10.000", id="de"),
        pytest.param("en", "10,001", "10,000", id="en"),
        pytest.param("fr", "10\u00a0001", "10\u00a0000", id="fr"),
    ],
)
def test_range_message_shows_bounds_as_the_language_writes_them(language, raw, expected):
    value, error = clean(language, raw, min_value=1, max_value=10_000)
    assert value is None
    assert expected in error
    # The grouping must not come from the other language.
    assert ("10,000" in error) == (language == "en")
    assert ("10.000" in error) == (language == "de")


def test_range_message_in_english_wording():
    assert clean("en", "10,001", min_value=1, max_value=10_000) == (
        None,
        "Please enter a number between 1 and 10,000.",
    )


def test_range_message_shows_default_maximum_grouped():
    _, error = clean("de", "10.000.001")
    assert "10.000.000" in error


@pytest.mark.parametrize("language", ["de", "en"])
def test_nine_digit_cap(language):
    separator = "." if language == "de" else ","
    bounds = {"max_value": 10**12}
    assert clean(language, "123456789", **bounds) == (123_456_789, None)
    assert clean(language, f"123{separator}456{separator}789", **bounds) == (123_456_789, None)
    whole_number, _ = messages(language, **bounds)
    assert clean(language, "1234567890", **bounds) == (None, whole_number)
    assert clean(language, f"1{separator}234{separator}567{separator}890", **bounds) == (None, whole_number)
    assert clean(language, "9" * 400, **bounds) == (None, whole_number)


def test_stored_value_is_an_int_and_shown_plain():
    value, error = clean("de", "1.500")
    assert error is None
    assert type(value) is int
    with translation.override("de"):
        # Exports read the label: a plain number, whatever the reader's language.
        assert question().label_for(value) == "1500"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        pytest.param("12'34'567", 1_234_567, id="lakh-grouping"),
        pytest.param("1'00'000", 100_000, id="hundred-thousand"),
        pytest.param("999", 999, id="no-separator"),
        pytest.param("1'234'567", None, id="thousands-grouping-refused"),
        pytest.param("123'45'678", None, id="long-leading-group"),
    ],
)
def test_language_grouping_and_separator_are_followed(monkeypatch, raw, value):
    """A site's own format module may group unevenly and use any separator, as number_format allows."""
    formats = {"THOUSAND_SEPARATOR": "'", "DECIMAL_SEPARATOR": ".", "NUMBER_GROUPING": (3, 2, 0)}
    monkeypatch.setattr(question_kinds, "get_format", formats.__getitem__)
    result = clean("en", raw)
    assert result[0] == value
    assert (result[1] is None) == (value is not None)
