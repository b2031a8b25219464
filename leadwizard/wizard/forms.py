"""The reader's contact step: name, company, address, consent; text cleaned of control characters."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..consent import MARKETING_CONSENT_TEXT
from ..text import clean_line, clean_text

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/.\-]{6,30}$")
HONEYPOT_FIELD = "website"


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
    # Optional and unticked; offered only where the questionnaire has a text for it.
    vendor_consent = forms.BooleanField(
        label=_("Yes, the vendors chosen for me may contact me."), required=False
    )
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
