"""The "So funktioniert die Auswahl" block explains the ranking from the settings the matching uses."""

import pytest
from django.utils import translation
from wagtail.blocks.struct_block import StructBlockValidationError

from leadwizard.criteria import default_weights, get_criteria, get_weights
from leadwizard.wizard.explanation import (
    PAYMENT_CHOICES,
    PAYMENT_INFLUENCES,
    PAYMENT_NO_INFLUENCE,
    PAYMENT_NONE,
    PAYMENT_STATEMENTS,
    RankingExplanationBlock,
    hard_criteria,
    weighted_criteria,
)
from tests.factories import soup


def render(value=None, language="en"):
    block = RankingExplanationBlock()
    with translation.override(language):
        return soup(block.render(block.to_python(value or {"heading": "", "intro": ""})))


def weight_rows(html):
    return {
        row["data-criterion"]: {
            "weight": float(row["data-weight"]),
            "percent": float(row["data-percent"]),
            "label": row.th.get_text(strip=True),
            "shown": row.select("td")[0].get_text(strip=True),
        }
        for row in html.select("table.ranking-explanation__weights tbody tr")
    }


def test_block_renders_every_weight_from_the_settings():
    html = render()

    rows = weight_rows(html)
    weights = get_weights()
    total = sum(weights.values())
    assert set(rows) == set(weights)
    for key, weight in weights.items():
        assert rows[key]["weight"] == weight
        assert rows[key]["percent"] == round(100 * weight / total, 1)
        assert rows[key]["shown"] == f"{round(100 * weight / total, 1):g}\xa0%"
    assert sum(row["percent"] for row in rows.values()) == pytest.approx(100, abs=0.5)
    # Heaviest first.
    assert [row["data-criterion"] for row in html.select("tbody tr")][0] == "uses"
    assert rows["uses"]["label"] == "Main uses"


def test_block_lists_the_hard_criteria():
    html = render()
    items = html.select(".ranking-explanation__hard-criteria li")
    assert [item["data-criterion"] for item in items] == [
        criterion.key for criterion in get_criteria() if criterion.hard
    ]
    assert all(item.get_text(strip=True) for item in items)
    assert items[0].strong.get_text(strip=True) == "Industry:"


def test_block_heading_defaults_to_the_standard_text_and_can_be_changed():
    assert render().h2.get_text(strip=True) == "How the selection works"
    html = render({"heading": "Wie wir Anbieter auswählen", "intro": "Alle Anbieter zahlen gleich viel."})
    assert html.h2.get_text(strip=True) == "Wie wir Anbieter auswählen"
    assert "Alle Anbieter zahlen gleich viel." in html.select_one(".ranking-explanation__intro").get_text()


def test_block_follows_weight_overrides(settings):
    settings.LEADWIZARD_MATCH_WEIGHTS = {"uses": 80, "time_tracking": 0, "german_hq": 25}
    total = sum(default_weights().values()) - 30 + 80 - 5 - 10 + 25

    rows = weight_rows(render())

    assert "time_tracking" not in rows  # switched off
    assert rows["uses"]["weight"] == 80
    assert rows["uses"]["percent"] == round(100 * 80 / total, 1) == 50.0
    assert rows["german_hq"]["percent"] == round(100 * 25 / total, 1)
    assert rows["industry"]["percent"] == round(100 * 10 / total, 1) == 6.2


def test_block_formats_percentages_in_the_readers_language(settings):
    settings.LEADWIZARD_MATCH_WEIGHTS = {"uses": 80, "time_tracking": 0, "german_hq": 25}
    rows = weight_rows(render(language="de"))
    assert rows["industry"]["shown"] == "6,2\xa0%"


def test_helpers_match_the_matching_settings(settings):
    settings.LEADWIZARD_MATCH_WEIGHTS = {"integrations": 40}
    assert {row["key"]: row["weight"] for row in weighted_criteria()} == get_weights()
    assert [row["key"] for row in hard_criteria()] == [
        criterion.key for criterion in get_criteria() if criterion.hard
    ]
    assert weighted_criteria()[0]["key"] == "integrations"


# Whether vendors pay (§ 5b UWG) -------------------------------------------------------------------------


def payment_value(choice, details=""):
    return {"heading": "", "intro": "", "vendor_payment": choice, "payment_details": details}


@pytest.mark.parametrize("choice", [PAYMENT_NONE, PAYMENT_NO_INFLUENCE, PAYMENT_INFLUENCES])
def test_block_states_whether_vendors_pay(choice):
    html = render(payment_value(choice, "30 Euro je weitergeleiteter Anfrage."))

    section = html.select_one(".ranking-explanation__payment")
    assert section["data-vendor-payment"] == choice
    heading = section.find_previous_sibling("h3")
    assert heading.get_text(strip=True) == "Do vendors pay to be included?"
    with translation.override("en"):
        assert section.p.get_text(strip=True) == str(PAYMENT_STATEMENTS[choice])
    assert section.select_one(".ranking-explanation__payment-details").get_text(strip=True) == (
        "30 Euro je weitergeleiteter Anfrage."
    )


def test_each_payment_choice_has_its_own_statement():
    statements = {
        render(payment_value(choice)).select_one(".ranking-explanation__payment p").get_text(strip=True)
        for choice, _label in PAYMENT_CHOICES
    }
    assert len(statements) == len(PAYMENT_CHOICES) == 3


def test_payment_details_are_optional_unless_payment_influences_the_listing():
    html = render(payment_value(PAYMENT_NONE))
    assert html.select_one(".ranking-explanation__payment-details") is None

    block = RankingExplanationBlock()
    for choice in (PAYMENT_NONE, PAYMENT_NO_INFLUENCE):
        assert block.clean(block.to_python(payment_value(choice)))["vendor_payment"] == choice
    for details in ("", "  \n "):
        with pytest.raises(StructBlockValidationError) as error:
            block.clean(block.to_python(payment_value(PAYMENT_INFLUENCES, details)))
        assert set(error.value.block_errors) == {"payment_details"}
    cleaned = block.clean(
        block.to_python(payment_value(PAYMENT_INFLUENCES, "Zahlende Anbieter stehen oben."))
    )
    assert cleaned["payment_details"] == "Zahlende Anbieter stehen oben."


def test_the_payment_choice_is_required():
    block = RankingExplanationBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"heading": "", "intro": ""}))
    assert "vendor_payment" in error.value.block_errors


def test_values_saved_before_the_payment_choice_say_nothing_about_payment():
    html = render({"heading": "", "intro": ""})

    assert html.select(".ranking-explanation__payment") == []
    assert [h3.get_text(strip=True) for h3 in html.select("h3")] == [
        "What excludes a vendor",
        "How the remaining vendors are ranked",
    ]
    assert html.select("table.ranking-explanation__weights tbody tr")


def test_the_preview_value_is_valid_and_states_the_payment():
    block = RankingExplanationBlock()
    value = block.to_python(block.meta.preview_value)
    block.clean(value)
    assert render(block.meta.preview_value).select_one(".ranking-explanation__payment") is not None
