"""The "So funktioniert die Auswahl" block: the ranking criteria and their weights, from the live settings.

Readers see which criteria exclude a vendor and how much each other criterion
counts. The block reads the criteria table and ``get_weights()``, exactly what
the matching uses, so the text can never drift from the ranking.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..criteria import get_criteria, get_weights


def _label(key):
    return key.replace("_", " ").capitalize()


def hard_criteria():
    """The criteria that exclude a vendor, in the matching's order: key, label, text."""
    return [
        {
            "key": criterion.key,
            "label": criterion.label,
            "text": criterion.exclusion_text or _("Must be met."),
        }
        for criterion in get_criteria()
        if criterion.hard
    ]


def weighted_criteria(weights=None):
    """The weighted criteria in force, heaviest first: key, label, text, weight and percent of the total.

    Criteria weighted 0 (switched off in the settings) are left out.
    """
    weights = get_weights() if weights is None else weights
    criteria = {criterion.key: criterion for criterion in get_criteria()}
    active = {key: weight for key, weight in weights.items() if weight and weight > 0}
    total = sum(active.values())
    order = {key: position for position, key in enumerate(criteria)}
    rows = [
        {
            "key": key,
            "label": criteria[key].label if key in criteria else _label(key),
            "text": criteria[key].weight_text if key in criteria else "",
            "weight": weight,
            "percent": round(100.0 * weight / total, 1) if total else 0.0,
        }
        for key, weight in active.items()
    ]
    rows.sort(key=lambda row: (-row["weight"], order.get(row["key"], len(order)), row["key"]))
    return rows


class RankingExplanationBlock(blocks.StructBlock):
    """Explains how the CRM selection ranks vendors: hard criteria and weights, always up to date."""

    heading = blocks.CharBlock(
        label=_("Heading"),
        required=False,
        max_length=150,
        help_text=_(
            "Leave empty for the standard heading 'How the selection works' in the reader's language."
        ),
    )
    intro = blocks.TextBlock(
        label=_("Introduction"),
        required=False,
        help_text=_("Optional sentences above the criteria, e.g. how vendors get into the catalogue."),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["heading"] = value.get("heading") or _("How the selection works")
        context["hard_criteria"] = hard_criteria()
        context["weighted_criteria"] = weighted_criteria()
        return context

    class Meta:
        icon = "help"
        label = _("How the selection works")
        template = "leadwizard/ranking_explanation_block.html"
        description = _(
            "The criteria and weights by which the CRM selection ranks vendors, from the live settings"
        )
        preview_value = {"heading": "", "intro": ""}
