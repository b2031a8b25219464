"""The shortlist form: every matched vendor as a row (pick, place), vendors added from the catalogue
with the reason they are added, and the personal message. Works without JavaScript: the rows are
plain checkboxes and number fields, and a search posts the form as it stands."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..catalogue import lead_locale, vendors_by_id
from ..shortlists import (
    MESSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Pick,
    ShortlistRefused,
    candidates,
    checked_vendors,
    pickable_vendors,
    search_catalogue,
)

PICK_PREFIX = "pick_"
POSITION_PREFIX = "position_"
REASON_PREFIX = "reason_"
MAX_POSITION = 999


def int_or_none(value):
    """A posted id as an int; None for anything else (a tampered field), so that it can be refused by name."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def int_values(values):
    return [int_or_none(value) for value in values]


class ShortlistForm(forms.Form):
    request_key = forms.UUIDField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=gettext_lazy("Personal message"),
        help_text=gettext_lazy("Written to the reader above the list. Blank lines separate paragraphs."),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    q = forms.CharField(
        label=gettext_lazy("Search the rest of the catalogue"), required=False, max_length=100
    )

    def __init__(self, lead, *args, search=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.unknown_ids = []
        matched_rows = [row for row in candidates(lead) if row["in_catalogue"]]
        matched_ids = {row["vendor_id"] for row in matched_rows}

        outside_ids = []
        if self.is_bound:
            ids = int_values(self.data.getlist("outside"))
            self.unknown_ids += [value for value in ids if value is None]
            # Rows added from the catalogue stay while they are picked.
            outside_ids = [
                value
                for value in ids
                if value is not None and value not in matched_ids and self.data.get(f"{PICK_PREFIX}{value}")
            ]
        known = set(pickable_vendors(lead).filter(pk__in=outside_ids).values_list("pk", flat=True))
        self.unknown_ids += [value for value in outside_ids if value not in known]
        localized = vendors_by_id([value for value in outside_ids if value in known], lead_locale(lead))
        outside_rows = [
            {
                "vendor_id": value,
                "name": localized[value].name,
                "description": localized[value].short_description,
            }
            for value in outside_ids
            if value in localized
        ]
        if search and self.is_bound:
            query = self.data.get("q", "")
            self.search_results = search_catalogue(
                lead, query, exclude=[row["vendor_id"] for row in outside_rows]
            )
            outside_rows += self.search_results
        else:
            self.search_results = None

        self.rows = []
        for index, row in enumerate(matched_rows + outside_rows, start=1):
            self.add_row(row, index, matched=row["vendor_id"] in matched_ids)

        if self.is_bound:
            shown = {row["vendor_id"] for row in self.rows}
            for key in self.data:
                if key.startswith(PICK_PREFIX):
                    (value,) = int_values([key[len(PICK_PREFIX) :]])
                    if value not in shown:
                        self.unknown_ids.append(value)

    def add_row(self, row, index, matched):
        vendor_id = row["vendor_id"]
        self.fields[f"{PICK_PREFIX}{vendor_id}"] = forms.BooleanField(
            label=_("Put %(vendor)s on the shortlist") % {"vendor": row["name"]},
            required=False,
            initial=bool(row.get("preselected")),
        )
        self.fields[f"{POSITION_PREFIX}{vendor_id}"] = forms.IntegerField(
            label=_("Place of %(vendor)s") % {"vendor": row["name"]},
            min_value=1,
            max_value=MAX_POSITION,
            initial=index,
            widget=forms.NumberInput(attrs={"class": "leadwizard-position", "style": "width: 5.5rem"}),
        )
        if not matched:
            self.fields[f"{REASON_PREFIX}{vendor_id}"] = forms.CharField(
                label=_("Why add %(vendor)s?") % {"vendor": row["name"]},
                required=False,
                max_length=REASON_MAX_LENGTH,
            )
        self.rows.append({**row, "matched": matched})

    def table_rows(self):
        """The rows with their bound fields, for the template."""
        for row in self.rows:
            vendor_id = row["vendor_id"]
            yield {
                **row,
                "pick": self[f"{PICK_PREFIX}{vendor_id}"],
                "position": self[f"{POSITION_PREFIX}{vendor_id}"],
                "reason": self[f"{REASON_PREFIX}{vendor_id}"] if not row["matched"] else None,
            }

    def clean(self):
        cleaned = super().clean()
        if self.unknown_ids:
            raise ValidationError(
                _("Vendor %(id)s is not in the catalogue of this lead's questionnaire.")
                % {"id": ", ".join(str(value) for value in self.unknown_ids)}
            )
        picks = [
            Pick(
                vendor_id=row["vendor_id"],
                position=cleaned.get(f"{POSITION_PREFIX}{row['vendor_id']}") or MAX_POSITION,
                outside_reason=cleaned.get(f"{REASON_PREFIX}{row['vendor_id']}", ""),
            )
            for row in self.rows
            if cleaned.get(f"{PICK_PREFIX}{row['vendor_id']}")
        ]
        if self.errors:
            return cleaned
        try:
            self.vendors = checked_vendors(self.lead, picks)
        except ShortlistRefused as refused:
            raise ValidationError(refused.message) from None
        cleaned["picks"] = picks
        return cleaned
