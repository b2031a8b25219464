"""The "So funktioniert die Auswahl" block: the ranking criteria and their weights, from the live settings.

Readers see which criteria exclude a vendor and how much each other criterion
counts. The block reads ``HARD_CRITERIA`` and ``get_weights()``, exactly what the
matching uses, so the text can never drift from the ranking.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .blocks import MATCHING_ROLES
from .matching import DEFAULT_WEIGHTS, HARD_CRITERIA, get_weights

CRITERION_LABELS = dict(MATCHING_ROLES)

HARD_CRITERION_TEXTS = {
    "industry": _(
        "Vendors that serve only other industries are left out; vendors for every industry stay in."
    ),
    "employees": _("The vendor must serve companies with as many employees as yours."),
    "users": _("The vendor must be suitable for as many CRM users as you need."),
    "market": _(
        "Vendors made only for business customers (B2B) or only for consumers (B2C) are left out "
        "unless that is your market."
    ),
}

WEIGHT_TEXTS = {
    "industry": _(
        "Specialists for your industry earn the full points, vendors for every industry half of them."
    ),
    "uses": _("In proportion to how many of the main uses you chose the vendor supports."),
    "integrations": _("In proportion to how many of the integrations you chose the vendor offers."),
    "intro_time": _(
        "Full points when the typical introduction is as quick as you want, half when it takes one step longer."
    ),
    "multi_branch": _("When you need it: the vendor supports several branches."),
    "international": _("When you need it: the vendor offers several languages and currencies."),
    "german_hq": _("When you want it: the vendor has its headquarters or hosting in Germany."),
    "time_tracking": _("When you need it: the vendor includes time tracking."),
}


def _label(key):
    return CRITERION_LABELS.get(key) or key.replace("_", " ").capitalize()


def hard_criteria():
    """The criteria that exclude a vendor, in the matching's order: key, label, text."""
    return [
        {"key": key, "label": _label(key), "text": HARD_CRITERION_TEXTS.get(key, _("Must be met."))}
        for key in HARD_CRITERIA
    ]


def weighted_criteria(weights=None):
    """The weighted criteria in force, heaviest first: key, label, text, weight and percent of the total.

    Criteria weighted 0 (switched off in the settings) are left out.
    """
    weights = get_weights() if weights is None else weights
    active = {key: weight for key, weight in weights.items() if weight and weight > 0}
    total = sum(active.values())
    order = {key: position for position, key in enumerate(DEFAULT_WEIGHTS)}
    rows = [
        {
            "key": key,
            "label": _label(key),
            "text": WEIGHT_TEXTS.get(key, ""),
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
