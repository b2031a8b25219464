"""The "So funktioniert die Auswahl" block explains the ranking from the settings the matching uses."""

import pytest
from django.utils import translation

from leadwizard.criteria import default_weights, get_criteria, get_weights
from leadwizard.wizard.explanation import RankingExplanationBlock, hard_criteria, weighted_criteria
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
