"""The "So funktioniert die Auswahl" block: the ranking criteria and their weights, from the live settings.

Readers see which criteria exclude a vendor and how much each other criterion
counts. The block reads the criteria table and ``get_weights()``, exactly what
the matching uses, so the text can never drift from the ranking. Whether vendors
pay, and whether that changes the listing, is the editor's statement (§ 5b UWG):
the code cannot know it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

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


PAYMENT_NONE = "none"
PAYMENT_NO_INFLUENCE = "no_influence"
PAYMENT_INFLUENCES = "influences"

PAYMENT_CHOICES = [
    (PAYMENT_NONE, _("Vendors pay nothing for being listed or ranked")),
    (
        PAYMENT_NO_INFLUENCE,
        _(
            "Vendors pay (e.g. per lead or for a listing), but payment has no influence on "
            "whether or where they are listed"
        ),
    ),
    (PAYMENT_INFLUENCES, _("Payment influences whether or where vendors are listed")),
]

#: What the reader reads for each choice.
PAYMENT_STATEMENTS = {
    PAYMENT_NONE: _("No. Vendors pay nothing for being included in the selection or for their place in it."),
    PAYMENT_NO_INFLUENCE: _(
        "Vendors pay us, for example for a listing or for each request passed on to them. "
        "This has no influence on whether or where a vendor appears in your selection: "
        "the rules above apply to every vendor in the same way."
    ),
    PAYMENT_INFLUENCES: _("Yes. Payments influence whether or where vendors appear in your selection:"),
}


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
    vendor_payment = blocks.ChoiceBlock(
        label=_("Do vendors pay?"),
        choices=PAYMENT_CHOICES,
        help_text=_("Readers are told whether vendors pay and whether payment changes the selection."),
    )
    payment_details = blocks.TextBlock(
        label=_("How vendors pay"),
        required=False,
        help_text=_(
            "What vendors pay for and, if payment influences the listing, how. "
            "Required when payment influences the listing."
        ),
    )

    def clean(self, value):
        value = super().clean(value)
        if (
            value.get("vendor_payment") == PAYMENT_INFLUENCES
            and not (value.get("payment_details") or "").strip()
        ):
            raise StructBlockValidationError(
                block_errors={
                    "payment_details": ValidationError(
                        _("Say how payment influences whether or where vendors are listed.")
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["heading"] = value.get("heading") or _("How the selection works")
        context["hard_criteria"] = hard_criteria()
        context["weighted_criteria"] = weighted_criteria()
        # Values saved before the payment choice existed have none: saying nothing beats a claim nobody made.
        context["payment_statement"] = PAYMENT_STATEMENTS.get(value.get("vendor_payment") or "")
        return context

    class Meta:
        icon = "help"
        label = _("How the selection works")
        template = "leadwizard/ranking_explanation_block.html"
        description = _(
            "The criteria and weights by which the CRM selection ranks vendors, from the live settings"
        )
        preview_value = {"heading": "", "intro": "", "vendor_payment": PAYMENT_NONE, "payment_details": ""}
