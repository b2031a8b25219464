"""Admin forms: the vendor editor shows the questionnaire's options instead of raw JSON lists."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from ..criteria import get_criteria
from ..models import Questionnaire


class VendorAdminForm(WagtailAdminModelForm):
    """Shows the questionnaire's options as checkboxes instead of raw JSON lists."""

    TEXT_LIST_FIELDS = ("languages", "currencies")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        questionnaire = (
            getattr(self.instance, "questionnaire", None) if self.instance.questionnaire_id else None
        )
        if questionnaire is None:
            questionnaire = Questionnaire.objects.order_by("pk").first()
        definition = questionnaire.definition if questionnaire else None

        # Each criterion that reads option keys from a vendor field offers the options of its question.
        for criterion in get_criteria():
            field_name = criterion.vendor_field
            if not field_name or field_name not in self.fields:
                continue
            question = definition.question_for_role(criterion.key) if definition else None
            choices = [(o.key, f"{o.label} ({o.key})") for o in question.choices] if question else []
            old = self.fields[field_name]
            if criterion.kind.vendor_keys == "many":
                self.fields[field_name] = forms.MultipleChoiceField(
                    label=old.label,
                    help_text=old.help_text,
                    required=False,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                self.fields[field_name] = forms.ChoiceField(
                    label=old.label, help_text=old.help_text, required=False, choices=[("", "–"), *choices]
                )
        for field_name in self.TEXT_LIST_FIELDS:
            if field_name in self.fields:
                old = self.fields[field_name]
                self.fields[field_name] = forms.CharField(
                    label=old.label,
                    help_text=old.help_text,
                    required=False,
                    initial=", ".join(getattr(self.instance, field_name) or []),
                )
                self.initial[field_name] = ", ".join(getattr(self.instance, field_name) or [])

    def clean_languages(self):
        return [item.strip().lower() for item in self.cleaned_data["languages"].split(",") if item.strip()]

    def clean_currencies(self):
        return [item.strip().upper() for item in self.cleaned_data["currencies"].split(",") if item.strip()]
