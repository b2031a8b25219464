"""Forms: the reader's contact step, and the vendor editor in the admin."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .text import clean_line, clean_text

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/.\-]{6,30}$")
HONEYPOT_FIELD = "website"
# The optional marketing consent has its own text, translated like the rest of the UI;
# a lead stores the text shown in the reader's language and its version.
MARKETING_CONSENT_TEXT = _(
    "Yes, I would like to receive occasional news about choosing a CRM by e-mail. "
    "I can withdraw this consent at any time."
)


class ReaderCharField(forms.CharField):
    """Text a reader typed, with control characters removed before it is validated.

    Only scripts send control characters; removing them keeps a finished
    request instead of refusing it with a message nobody could act on.
    """

    def __init__(self, *args, multiline=False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value).strip() if self.multiline else clean_line(value)


class ReaderEmailField(forms.EmailField):
    def to_python(self, value):
        return clean_line(super().to_python(value))


class ContactForm(forms.Form):
    """Contact details and consent on the wizard's last step."""

    name = ReaderCharField(
        label=_("Your name"),
        max_length=150,
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    company = ReaderCharField(
        label=_("Company"),
        max_length=150,
        error_messages={"required": _("Please enter your company.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = ReaderEmailField(
        label=_("E-mail"),
        max_length=254,
        error_messages={
            "required": _("Please enter your e-mail address."),
            "invalid": _("Please enter a valid e-mail address, e.g. name@firma.de."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = ReaderCharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    message = ReaderCharField(
        multiline=True,
        label=_("Message (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my details are used to answer my request."),
        error_messages={"required": _("Please agree so that we can send you suitable vendors.")},
    )
    # Optional and unticked: news only after a confirmed double opt-in.
    marketing_consent = forms.BooleanField(label=MARKETING_CONSENT_TEXT, required=False)
    # Invisible to people; bots that fill every field reveal themselves.
    website = ReaderCharField(required=False, max_length=200, label=_("Leave this field empty"))

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_company(self):
        return self.cleaned_data["company"].strip()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and (not PHONE_PATTERN.match(phone) or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError(_("Please enter a valid phone number, e.g. +49 30 1234567."))
        return phone


class VendorAdminForm(WagtailAdminModelForm):
    """Shows the questionnaire's options as checkboxes instead of raw JSON lists."""

    LIST_FIELDS = {"industries": "industry", "uses": "uses", "integrations": "integrations"}
    TEXT_LIST_FIELDS = ("languages", "currencies")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Questionnaire

        questionnaire = (
            getattr(self.instance, "questionnaire", None) if self.instance.questionnaire_id else None
        )
        if questionnaire is None:
            questionnaire = Questionnaire.objects.order_by("pk").first()
        definition = questionnaire.definition if questionnaire else None

        for field_name, role in self.LIST_FIELDS.items():
            if field_name in self.fields:
                question = definition.question_for_role(role) if definition else None
                choices = [(o.key, f"{o.label} ({o.key})") for o in question.choices] if question else []
                old = self.fields[field_name]
                self.fields[field_name] = forms.MultipleChoiceField(
                    label=old.label,
                    help_text=old.help_text,
                    required=False,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                )
        if "intro_time" in self.fields:
            question = definition.question_for_role("intro_time") if definition else None
            choices = [("", "–")] + (
                [(o.key, f"{o.label} ({o.key})") for o in question.choices] if question else []
            )
            old = self.fields["intro_time"]
            self.fields["intro_time"] = forms.ChoiceField(
                label=old.label, help_text=old.help_text, required=False, choices=choices
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
