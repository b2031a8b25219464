"""Questionnaires and the vendor catalogue (editors), leads and funnel counts (marketers)."""

import base64
import secrets
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, TranslatableMixin
from wagtail.search import index

from .blocks import QuestionnaireStepsBlock
from .consent import address_hashes
from .criteria import get_criteria
from .matching import VendorProfile
from .questionnaire import Definition, fill_counts
from .text import clean_data, clean_line, clean_text
from .webhook_targets import RefusedTarget, check_url

try:
    from wagtail_localize.fields import SynchronizedField, TranslatableField
except ImportError:  # wagtail-localize is optional: a single-language site translates nothing
    SynchronizedField = TranslatableField = None


class Questionnaire(TranslatableMixin, index.Indexed, models.Model):
    """The CRM-Auswahl questionnaire: steps of questions and the texts of the search, contact and success steps."""

    title = models.CharField(
        _("title"),
        max_length=150,
        help_text=_("Shown above the wizard, e.g. 'Starten Sie Ihre CRM-Auswahl'."),
    )
    intro = models.TextField(_("introduction"), blank=True, help_text=_("A sentence or two under the title."))
    steps = StreamField(
        QuestionnaireStepsBlock(),
        verbose_name=_("steps"),
        help_text=_("The wizard's question steps in order. Keys must never change once leads exist."),
    )
    search_button_label = models.CharField(
        _("search button label"),
        max_length=60,
        default="CRM-Anbieter suchen",
        help_text=_("The button on the last question step that runs the vendor search."),
    )
    results_text = models.TextField(
        _("results text"),
        blank=True,
        help_text=_(
            "Shown under 'N systems found' on the contact step. {count} and {shortlist_count} work here too."
        ),
    )
    no_results_text = models.TextField(
        _("text when nothing matches"),
        blank=True,
        help_text=_("Shown when no vendor passes the criteria; readers can still ask for advice."),
    )
    contact_title = models.CharField(_("contact step title"), max_length=150, default="Ihre Kontaktdaten")
    contact_intro = models.TextField(_("contact step introduction"), blank=True)
    consent_text = RichTextField(
        _("consent text"),
        features=["bold", "italic", "link"],
        help_text=_(
            "The consent readers must give before a request is sent; link to the privacy page. "
            "Each lead stores the exact text shown and its version."
        ),
    )
    vendor_consent_text = RichTextField(
        _("consent to be contacted by vendors"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_(
            "An optional, separate box: the reader agrees that the vendors the consultant chooses may "
            "contact them. Empty (the default): the box is not shown and no lead can be handed to vendors. "
            "Each lead stores the exact text shown and its version."
        ),
    )
    success_title = models.CharField(
        _("success headline"), max_length=150, default="Ihre Anfrage ist erfolgreich bei uns eingegangen"
    )
    success_text = RichTextField(
        _("next steps"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_(
            "What happens next, e.g. a short list of the next steps. Write {count} for the number of "
            "vendors found and {shortlist_count} for the number the shortlist will hold; never a fixed number."
        ),
    )
    no_results_success_text = RichTextField(
        _("next steps when nothing matched"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_(
            "Shown instead of the next steps, and in the confirmation e-mail, when no vendor matched; "
            "it must promise no list of vendors."
        ),
    )
    notification_email = models.EmailField(
        _("notification e-mail"),
        blank=True,
        help_text=_("Sales inbox that is told about new leads; the site default is used when empty."),
    )

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [FieldPanel("title"), FieldPanel("intro"), FieldPanel("steps")], heading=_("Questions")
            ),
            ObjectList(
                [
                    FieldPanel("search_button_label"),
                    FieldPanel("results_text"),
                    FieldPanel("no_results_text"),
                    FieldPanel("contact_title"),
                    FieldPanel("contact_intro"),
                    FieldPanel("consent_text"),
                    FieldPanel("vendor_consent_text"),
                ],
                heading=_("Search and contact"),
            ),
            ObjectList(
                [
                    FieldPanel("success_title"),
                    FieldPanel("success_text"),
                    FieldPanel("no_results_success_text"),
                    FieldPanel("notification_email"),
                ],
                heading=_("Success"),
            ),
        ]
    )

    search_fields = [index.SearchField("title"), index.FilterField("locale_id")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self):
        return self.title

    @cached_property
    def definition(self):
        return Definition.from_stream(self.steps)

    def results_text_for(self, match_count):
        """The contact step's text under "N systems found", with the numbers filled in."""
        return fill_counts(self.results_text, match_count)

    def next_steps_for(self, match_count):
        """The next steps (rich text as stored) for a reader who was shown ``match_count`` vendors.

        With no match, the text for that case (or none): no reader is promised a list that cannot come.
        """
        if not match_count:
            return self.no_results_success_text
        return fill_counts(self.success_text, match_count)

    def clean(self):
        super().clean()
        # A translation must keep the source's keys: leads of all languages share columns.
        default_locale = Locale.get_default()
        if self.translation_key and self.locale_id and self.locale_id != default_locale.pk:
            source = Questionnaire.objects.filter(
                translation_key=self.translation_key, locale=default_locale
            ).first()
            # Built afresh: the cached definition may predate an edit of the steps.
            if source is not None and (
                source.definition.key_structure() != Definition.from_stream(self.steps).key_structure()
            ):
                raise ValidationError(
                    {"steps": _("Keys of steps, questions and options must be the same in every language.")}
                )


class Vendor(TranslatableMixin, index.Indexed, models.Model):
    """A CRM vendor in the catalogue that the wizard searches. Attributes use the questionnaire's option keys."""

    MARKETS = [("b2b", _("B2B")), ("b2c", _("B2C")), ("both", _("B2B and B2C"))]
    HOSTING = [("de", _("Germany")), ("eu", _("European Union")), ("other", _("Outside the EU"))]

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="vendors",
        help_text=_("The questionnaire whose option keys this vendor's attributes use."),
    )
    name = models.CharField(_("name"), max_length=120)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    short_description = models.TextField(
        _("short description"), max_length=400, help_text=_("One or two sentences shown in the longlist.")
    )
    website = models.URLField(_("website"), blank=True)
    handover_email = models.EmailField(
        _("contact address for hand-over"),
        blank=True,
        help_text=_(
            "Where a lead goes when a consultant hands it to this vendor (with the reader's consent)."
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive vendors are never matched.")
    )

    industries = models.JSONField(
        _("industries served"), default=list, blank=True, help_text=_("None ticked: serves every industry.")
    )
    employees_min = models.PositiveIntegerField(_("employees from"), default=1)
    employees_max = models.PositiveIntegerField(
        _("employees up to"), null=True, blank=True, help_text=_("Empty: no upper limit.")
    )
    users_min = models.PositiveIntegerField(_("users from"), default=1)
    users_max = models.PositiveIntegerField(
        _("users up to"), null=True, blank=True, help_text=_("Empty: no upper limit.")
    )
    uses = models.JSONField(_("uses supported"), default=list, blank=True)
    integrations = models.JSONField(_("integrations"), default=list, blank=True)
    intro_time = models.CharField(_("typical introduction time"), max_length=50, blank=True)
    market = models.CharField(_("B2B / B2C"), max_length=4, choices=MARKETS, default="both")
    multi_branch = models.BooleanField(_("supports several branches"), default=False)
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Language codes of the user interface, e.g. de, en, fr."),
    )
    currencies = models.JSONField(
        _("currencies"), default=list, blank=True, help_text=_("E.g. EUR, CHF, USD.")
    )
    hosting = models.CharField(_("hosting"), max_length=5, choices=HOSTING, default="eu")
    german_headquarters = models.BooleanField(_("headquarters in Germany"), default=False)
    time_tracking = models.BooleanField(_("time tracking"), default=False)

    panels = [
        FieldPanel("questionnaire"),
        FieldPanel("name"),
        FieldPanel("logo"),
        FieldPanel("short_description"),
        FieldPanel("website"),
        FieldPanel("handover_email"),
        FieldPanel("active"),
        MultiFieldPanel(
            [
                FieldPanel("industries"),
                FieldRowPanel([FieldPanel("employees_min"), FieldPanel("employees_max")]),
                FieldRowPanel([FieldPanel("users_min"), FieldPanel("users_max")]),
                FieldPanel("uses"),
                FieldPanel("integrations"),
                FieldPanel("intro_time"),
                FieldPanel("market"),
                FieldPanel("multi_branch"),
                FieldRowPanel([FieldPanel("languages"), FieldPanel("currencies")]),
                FieldRowPanel([FieldPanel("hosting"), FieldPanel("german_headquarters")]),
                FieldPanel("time_tracking"),
            ],
            heading=_("Attributes for matching"),
        ),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("short_description"),
        index.FilterField("locale_id"),
    ]

    # Facts about the product that matching uses; the same in every language.
    ATTRIBUTE_FIELDS = (
        "industries",
        "employees_min",
        "employees_max",
        "users_min",
        "users_max",
        "uses",
        "integrations",
        "intro_time",
        "market",
        "multi_branch",
        "languages",
        "currencies",
        "hosting",
        "german_headquarters",
        "time_tracking",
    )

    # Only the description is translated.
    translatable_fields = (
        [
            TranslatableField("short_description"),
            TranslatableField("questionnaire"),
            *(
                SynchronizedField(name)
                for name in ("name", "logo", "website", "handover_email", "active", *ATTRIBUTE_FIELDS)
            ),
        ]
        if TranslatableField
        else []
    )

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.employees_max is not None and self.employees_max < self.employees_min:
            errors["employees_max"] = _("Must not be smaller than 'employees from'.")
        if self.users_max is not None and self.users_max < self.users_min:
            errors["users_max"] = _("Must not be smaller than 'users from'.")
        if self.questionnaire_id:
            definition = self.questionnaire.definition
            for criterion in get_criteria():
                if not criterion.vendor_field:
                    continue
                field_name, role, is_list = (
                    criterion.vendor_field,
                    criterion.key,
                    criterion.kind.vendor_keys == "many",
                )
                value = getattr(self, field_name)
                values = value if is_list else ([value] if value else [])
                if is_list and not isinstance(value, list):
                    errors[field_name] = _("Expected a list of option keys.")
                    continue
                known = definition.option_keys_for_role(role)
                unknown = [key for key in values if key not in known]
                if unknown:
                    errors[field_name] = _("The questionnaire has no option %(keys)s (known: %(known)s).") % {
                        "keys": ", ".join(map(str, unknown)),
                        "known": ", ".join(known) or "–",
                    }
        if errors:
            raise ValidationError(errors)

    def to_profile(self):
        """The vendor as plain data for ``match_vendors``: its value for each matching criterion."""
        return VendorProfile.of(self)


class WithdrawalSource(models.TextChoices):
    """How a reader withdrew marketing consent: for the proof of withdrawal and the lead's timeline."""

    LINK = "link", _("link in an e-mail")
    ONE_CLICK = "one_click", _("one-click unsubscribe (RFC 8058)")
    PHONE = "phone", _("recorded by staff: phone")
    LETTER = "letter", _("recorded by staff: letter")
    EMAIL = "email", _("recorded by staff: e-mail")
    OTHER = "other", _("recorded by staff: other")


class MarketingState(models.TextChoices):
    """Where a lead stands with marketing e-mail (``Lead.marketing_consent_state``)."""

    NONE = "none", _("not given")
    ASKED = "asked", _("asked, not confirmed")
    CONFIRMED = "confirmed", _("confirmed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Lead(models.Model):
    """A reader's request for a shortlist: answers, contact, consent, source and the matches at that moment."""

    # Never in Wagtail's reference index: it would list leads on their source page's "Usage" tab.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        SHORTLIST_SENT = "shortlist_sent", _("Shortlist sent")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        SPAM = "spam", _("Spam")

    submission_key = models.UUIDField(
        _("submission key"),
        unique=True,
        default=uuid.uuid4,
        editable=False,
        help_text=_("Makes a double click or a replayed request create one lead, not two."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_leads",
    )

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    answers = models.JSONField(_("answers"), default=dict, help_text=_("Answers by question key."))
    answer_labels = models.JSONField(
        _("answers as shown"),
        default=list,
        help_text=_("The steps, questions and answers with the labels the reader saw."),
    )
    industry = models.CharField(_("industry"), max_length=50, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)

    name = models.CharField(_("name"), max_length=150)
    company = models.CharField(_("company"), max_length=150)
    email = models.EmailField(_("e-mail"), max_length=254, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=2000)

    consent_text = models.TextField(_("consent text shown"))
    consent_version = models.CharField(
        _("consent version"), max_length=64, help_text=_("SHA-256 of the consent text shown.")
    )
    consent_given_at = models.DateTimeField(_("consent given at"))

    source_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("source page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_url = models.CharField(_("source page URL"), max_length=500, blank=True)
    locale = models.CharField(_("language"), max_length=10, db_index=True)
    landing_url = models.CharField(_("landing URL"), max_length=1000, blank=True)
    referrer = models.CharField(_("referrer"), max_length=1000, blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)

    match_count = models.PositiveIntegerField(_("matching vendors"), default=0)
    matches = models.JSONField(
        _("matches"),
        default=list,
        help_text=_(
            "Every vendor that matched at submission, best first, with its score and the criteria met and not met."
        ),
    )
    top_matches = models.JSONField(
        _("top matches"),
        default=list,
        help_text=_("The first matches (LEADWIZARD_TOP_MATCHES) for exports and webhooks."),
    )
    spam_reasons = models.JSONField(_("spam indicators"), default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("likely duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="likely_duplicates",
        help_text=_(
            "An earlier request from the same e-mail address within LEADWIZARD_DUPLICATE_WINDOW_HOURS; "
            "both are kept, so that the consultant answers once."
        ),
    )

    marketing_consent = models.BooleanField(
        _("marketing consent requested"),
        default=False,
        help_text=_("The reader ticked the optional box to receive news; valid only once confirmed."),
    )
    marketing_consent_text = models.TextField(_("marketing consent text shown"), blank=True)
    marketing_consent_version = models.CharField(_("marketing consent version"), max_length=64, blank=True)
    marketing_confirmation_sent_at = models.DateTimeField(
        _("confirmation e-mail sent"), null=True, blank=True
    )
    marketing_confirmed_at = models.DateTimeField(_("marketing consent confirmed"), null=True, blank=True)
    marketing_withdrawn_at = models.DateTimeField(
        _("marketing consent withdrawn"),
        null=True,
        blank=True,
        help_text=_("Set when the reader withdrew marketing consent; no marketing e-mail goes out after it."),
    )
    marketing_withdrawal_source = models.CharField(
        _("marketing consent withdrawn by"),
        max_length=20,
        choices=WithdrawalSource.choices,
        blank=True,
    )
    vendor_consent = models.BooleanField(
        _("consent to be contacted by vendors"),
        default=False,
        help_text=_(
            "The reader ticked the optional box: the vendors the consultant chooses may contact them."
        ),
    )
    vendor_consent_text = models.TextField(_("vendor consent text shown"), blank=True)
    vendor_consent_version = models.CharField(_("vendor consent version"), max_length=64, blank=True)
    vendor_consent_given_at = models.DateTimeField(_("vendor consent given at"), null=True, blank=True)
    erased_at = models.DateTimeField(
        _("personal data erased"), null=True, blank=True, help_text=_("Set when the lead was anonymised.")
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]
        permissions = [("export_lead", _("Can export leads"))]
        indexes = [
            models.Index(fields=["created_at", "id"], name="leadwizard_lead_created_id"),
            # The check for an earlier request of the same address (leads.mark_likely_duplicate)
            # runs on every submit; without it, it read every lead of the window (72 h).
            models.Index(Upper("email"), F("created_at"), F("id"), name="leadwizard_lead_email_created"),
        ]

    def __str__(self):
        # No personal data: Wagtail copies this into audit log labels, reports and
        # generic admin screens. Screens for users who may see leads use ``contact_label``.
        if self.erased_at:
            return _("Erased lead %(id)s") % {"id": self.pk}
        return _("Lead %(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        self.clean_stored_text(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def clean_stored_text(self, field_names=None):
        """Remove what no database or mail should get: control characters, NUL above all, and overlong text.

        Every way of storing a lead passes here, so a lead is never lost to a
        ``%00`` in a UTM parameter or a value one character too long.
        """
        for field in self._meta.concrete_fields:
            if field_names is not None and field.name not in field_names:
                continue
            value = getattr(self, field.attname)
            if isinstance(field, models.JSONField):
                setattr(self, field.attname, clean_data(value))
            elif isinstance(value, str) and isinstance(field, models.TextField):
                setattr(self, field.attname, clean_text(value))
            elif isinstance(value, str) and isinstance(field, models.CharField):
                setattr(self, field.attname, clean_line(value, field.max_length))

    @property
    def contact_label(self):
        """The person and company, for screens of users who may see leads."""
        if self.erased_at:
            return str(self)
        return f"{self.name} ({self.company})" if self.company else self.name

    @property
    def industry_label(self):
        """The industry as the reader saw it (leads store the option key)."""
        for group in self.answer_labels or []:
            for row in group.get("questions", []):
                if row.get("value") == self.industry and self.industry:
                    return row.get("answer") or self.industry
        return self.industry

    CONTACT_FIELDS = ("name", "company", "email", "phone", "message")
    UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")

    @property
    def contact(self):
        """The contact details the reader gave, as a dict (webhook payloads, right of access)."""
        return {name: getattr(self, name) for name in self.CONTACT_FIELDS}

    @property
    def has_marketing_consent(self):
        """Marketing e-mails only after double opt-in, and never after a withdrawal."""
        return (
            self.marketing_consent
            and self.marketing_confirmed_at is not None
            and self.marketing_withdrawn_at is None
        )

    @property
    def marketing_consent_state(self):
        """none, asked, confirmed or withdrawn; a withdrawal wins over everything before it."""
        if self.marketing_withdrawn_at:
            return MarketingState.WITHDRAWN
        if self.marketing_consent and self.marketing_confirmed_at:
            return MarketingState.CONFIRMED
        if self.marketing_consent:
            return MarketingState.ASKED
        return MarketingState.NONE

    def get_marketing_consent_state_display(self):
        return MarketingState(self.marketing_consent_state).label

    @staticmethod
    def marketing_state_condition(state):
        """The query condition for leads in ``state``: the same rule as ``marketing_consent_state``."""
        not_withdrawn = models.Q(marketing_withdrawn_at__isnull=True)
        return {
            MarketingState.WITHDRAWN: models.Q(marketing_withdrawn_at__isnull=False),
            MarketingState.CONFIRMED: not_withdrawn
            & models.Q(marketing_consent=True, marketing_confirmed_at__isnull=False),
            MarketingState.ASKED: not_withdrawn
            & models.Q(marketing_consent=True, marketing_confirmed_at__isnull=True),
            MarketingState.NONE: not_withdrawn & models.Q(marketing_consent=False),
        }[MarketingState(state)]

    @property
    def is_spam(self):
        return self.status == self.Status.SPAM

    #: Why a request is suspected abuse, in words for the people who judge it.
    SPAM_REASON_LABELS = {
        "honeypot": _("a field invisible to people was filled in"),
        "too_fast": _("finished implausibly fast"),
        "rate_limit": _("more requests from one network than the limit allows"),
    }

    @property
    def spam_reason_labels(self):
        return [str(self.SPAM_REASON_LABELS.get(reason, reason)) for reason in self.spam_reasons or []]


class StoredAnswerKey(models.Model):
    """A question key that the answers of some lead hold or held.

    On PostgreSQL a trigger on the lead table (migration 0019) adds the keys of
    every lead's answers as they are written, however they are written. A lead
    export then finds the columns of questions since removed from the
    questionnaire by asking, per key that no questionnaire asks any more,
    whether a lead of the export has it (an index on the answers), instead of
    reading every lead before its first byte. Keys are never taken out: one
    whose leads are gone is a key the export asks about and leaves out.
    """

    key = models.TextField(_("question key"), unique=True)

    class Meta:
        verbose_name = _("stored answer key")
        verbose_name_plural = _("stored answer keys")

    def __str__(self):
        return self.key


class MarketingSuppression(models.Model):
    """An e-mail address that withdrew marketing consent: no marketing e-mail goes to it, from any lead.

    Stores a keyed hash of the normalised address, never the address, so that erasing
    the leads leaves nothing that names the reader, yet a new request from the same
    address is still recognised. Deleted when the address confirms a new opt-in.
    """

    email_hash = models.CharField(_("hashed e-mail address"), max_length=64, unique=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"))
    source = models.CharField(_("withdrawn by"), max_length=20, choices=WithdrawalSource.choices)

    class Meta:
        verbose_name = _("withdrawn marketing address")
        verbose_name_plural = _("withdrawn marketing addresses")

    def __str__(self):
        return f"{self.email_hash[:12]}… ({self.get_source_display()})"

    @classmethod
    def for_email(cls, email):
        """The withdrawals recorded for ``email`` (under the current or a former secret key)."""
        hashes = address_hashes(email)
        return cls.objects.filter(email_hash__in=hashes) if hashes else cls.objects.none()

    @classmethod
    def is_withdrawn(cls, email):
        """Whether ``email`` withdrew marketing consent and has not opted in again since."""
        return cls.for_email(email).exists()


class Webhook(models.Model):
    """A URL that receives every new lead as signed JSON (e.g. a CRM or a Zapier-like service).

    Signed as the Standard Webhooks specification says (``deliveries/channels/webhook.py``).
    The secret is generated here, never typed in: ``whsec_`` and the base64 of
    ``SECRET_BYTES`` random bytes. Rotating it keeps the previous secret valid
    until ``previous_secret_expires_at`` (or until it is removed); meanwhile every
    call carries a signature with each of the two.

    A secret without the ``whsec_`` prefix is one from before the standard
    (migration 0016 converts those): its UTF-8 bytes are the key, as they were,
    so receivers of old keep working.
    """

    SECRET_PREFIX = "whsec_"  # noqa: S105 - the standard's marker of a secret, not a secret
    SECRET_BYTES = 32  # the standard asks for 24 to 64
    MIN_SECRET_BYTES = 24

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, help_text=_("Receives a POST with the lead as JSON."))
    # Room for a converted secret of old: up to 200 characters of up to 4 UTF-8 bytes each, in base64.
    secret = models.CharField(
        _("secret"),
        max_length=1100,
        blank=True,
        editable=False,
        help_text=_("Generated when the webhook is saved; whsec_ and base64, as Standard Webhooks defines."),
    )
    previous_secret = models.CharField(
        _("previous secret"),
        max_length=1100,
        blank=True,
        editable=False,
        help_text=_("The secret before the last rotation; still signed with until it expires or is removed."),
    )
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"),
        null=True,
        blank=True,
        help_text=_("Empty: until the previous secret is removed."),
    )
    active = models.BooleanField(_("active"), default=True)
    questionnaires = models.ManyToManyField(
        Questionnaire,
        verbose_name=_("questionnaires"),
        blank=True,
        related_name="+",
        help_text=_("Only leads from these questionnaires; none selected: all."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # The secret and its rotation have panels of their own in the admin (admin/webhooks.py).
    panels = [
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("active"),
        FieldPanel("questionnaires", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.secret:
            self.secret = self.generate_secret()
        super().save(*args, **kwargs)

    def clean(self):
        """Refuse URLs the server must not call: local or private addresses, other schemes, credentials.

        The host is resolved now, so a name that does not resolve is refused too;
        ``deliveries.call_webhook`` checks again at every call (DNS may change).
        """
        super().clean()
        if not self.url:
            return  # empty or already refused by the field's own validation
        try:
            check_url(self.url)
        except RefusedTarget as exc:
            raise ValidationError(
                {"url": ValidationError(exc.message, code=exc.code, params=exc.params)}
            ) from None

    def applies_to(self, lead):
        keys = [q.translation_key for q in self.questionnaires.all()]
        return not keys or (lead.questionnaire is not None and lead.questionnaire.translation_key in keys)

    @classmethod
    def generate_secret(cls):
        """A new secret as the standard writes it: whsec_ and the base64 of SECRET_BYTES random bytes."""
        return cls.SECRET_PREFIX + base64.b64encode(secrets.token_bytes(cls.SECRET_BYTES)).decode()

    @classmethod
    def secret_key(cls, secret):
        """The HMAC key of a stored secret: the decoded bytes of a whsec_ secret, else (of old) its UTF-8."""
        if secret.startswith(cls.SECRET_PREFIX):
            return base64.b64decode(secret.removeprefix(cls.SECRET_PREFIX), validate=True)
        return secret.encode()

    @classmethod
    def standard_form(cls, secret):
        """The secret as a receiver's Standard Webhooks library takes it (whsec_ form), old ones too."""
        return cls.SECRET_PREFIX + base64.b64encode(cls.secret_key(secret)).decode()

    @property
    def receiver_secret(self):
        return self.standard_form(self.secret) if self.secret else ""

    @property
    def secret_too_short(self):
        """A secret of old may be shorter than the standard asks; rotating it replaces it."""
        return bool(self.secret) and len(self.secret_key(self.secret)) < self.MIN_SECRET_BYTES

    def previous_secret_valid(self, now=None):
        if not self.previous_secret:
            return False
        return (
            self.previous_secret_expires_at is None
            or (now or timezone.now()) < self.previous_secret_expires_at
        )

    def signing_keys(self, now=None):
        """The keys each call is signed with: the current secret's, then the previous one's while valid."""
        keys = [self.secret_key(self.secret)]
        if self.previous_secret_valid(now):
            keys.append(self.secret_key(self.previous_secret))
        return keys

    def rotate_secret(self, previous_valid_until=None):
        """A new current secret; the current one stays valid until ``previous_valid_until`` (None: until removed).

        A previous secret still valid before is dropped: only two are ever signed with.
        """
        self.previous_secret = self.secret
        self.previous_secret_expires_at = previous_valid_until
        self.secret = self.generate_secret()

    def remove_previous_secret(self):
        self.previous_secret = ""
        self.previous_secret_expires_at = None


class Delivery(models.Model):
    """One side effect of a lead (an e-mail or a webhook call), with its attempts and outcome."""

    class Kind(models.TextChoices):
        SALES_NOTIFICATION = "sales_notification", _("Sales notification e-mail")
        READER_CONFIRMATION = "reader_confirmation", _("Confirmation e-mail to the reader")
        MARKETING_OPT_IN = "marketing_opt_in", _("Marketing opt-in e-mail")
        WEBHOOK = "webhook", _("Webhook")
        SHORTLIST = "shortlist", _("Shortlist e-mail to the reader")
        ASSIGNMENT = "assignment", _("Assignment e-mail to the consultant")
        VENDOR_HANDOVER = "vendor_handover", _("Hand-over e-mail to a vendor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Failed, will retry")
        SUCCEEDED = "succeeded", _("Succeeded")
        GAVE_UP = "gave_up", _("Failed, gave up")

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    webhook = models.ForeignKey(
        Webhook,
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    target = models.CharField(_("target"), max_length=500, help_text=_("E-mail address or URL."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.target}"


class Shortlist(models.Model):
    """The vendors a consultant chose for a lead, in order, and the personal message sent with them.

    Saved before its e-mail is tried; ``sent_at`` is set when the mail server accepted it.
    """

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="shortlists"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consultant_name = models.CharField(
        _("consultant's name"), max_length=150, help_text=_("As the reader saw it in the e-mail.")
    )
    reply_to = models.EmailField(_("reply to"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    message = models.TextField(_("personal message"), blank=True, max_length=4000)
    vendors = models.JSONField(
        _("vendors"),
        default=list,
        help_text=_(
            "In the order sent: id, name, description, website, score, the reasons shown, "
            "and the consultant's reason for a vendor outside the matches."
        ),
    )
    request_key = models.UUIDField(
        _("request key"),
        unique=True,
        default=uuid.uuid4,
        editable=False,
        help_text=_("One per click on 'Send': a double click sends one shortlist."),
    )
    delivery = models.OneToOneField(
        Delivery,
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shortlist",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Shortlist %(id)s of lead %(lead)s") % {"id": self.pk, "lead": self.lead_id}

    @property
    def vendor_names(self):
        return [vendor.get("name", "") for vendor in self.vendors]


class VendorHandover(models.Model):
    """A lead handed to one vendor of its shortlist, with the reader's consent; at most once per vendor."""

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="handovers")
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), null=True, on_delete=models.SET_NULL, related_name="handovers"
    )
    vendor_name = models.CharField(_("vendor's name"), max_length=120)
    target = models.EmailField(_("sent to"))
    shortlist = models.ForeignKey(
        Shortlist, verbose_name=_("shortlist"), null=True, on_delete=models.SET_NULL, related_name="handovers"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_version = models.CharField(
        _("consent version"), max_length=64, help_text=_("The version of the vendor consent the reader gave.")
    )
    delivery = models.OneToOneField(
        Delivery,
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handover",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("hand-over to a vendor")
        verbose_name_plural = _("hand-overs to vendors")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "vendor"], name="leadwizard_handover_once_per_vendor")
        ]

    def __str__(self):
        return _("Lead %(lead)s handed to %(vendor)s") % {"lead": self.lead_id, "vendor": self.vendor_name}


class PreparedExportRow(models.Model):
    """A lead's CSV export fields in one language, written ahead so that a large export copies them.

    ``text`` holds the lead's CSV fields (quoted and guarded as the export writes
    them) for the columns of its questionnaire, separated by ``\x1f``;
    ``words`` is a hash of everything besides the lead's own row that went into
    them (labels, words, time zone; ``exports.prepared.words_key``). An export
    uses a row only where the hash matches what it would write itself, and
    writes every other lead as before. On PostgreSQL only: a trigger (migration
    0020) deletes a lead's rows whenever the lead changes, however it changes,
    so no copy outlives an edit or an erasure. Assignee and notes are read with
    every export, never kept here.
    """

    # Written and read by SQL of the export alone; never a reference of the lead's.
    wagtail_reference_index_ignore = True

    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        related_name="prepared_export_rows",
        db_index=False,  # the unique constraint on (lead, language) serves it
    )
    language = models.CharField(_("language"), max_length=10)
    words = models.CharField(_("hash of labels and words"), max_length=64)
    text = models.TextField(_("CSV fields"))

    class Meta:
        verbose_name = _("prepared export row")
        verbose_name_plural = _("prepared export rows")
        constraints = [
            models.UniqueConstraint(fields=["lead", "language"], name="leadwizard_prepared_row_lead_language")
        ]

    def __str__(self):
        return _("Export row of lead %(lead)s (%(language)s)") % {
            "lead": self.lead_id,
            "language": self.language,
        }


class LeadNote(models.Model):
    """A consultant's or marketer's note on a lead, with its author and time; part of the lead's timeline."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="lead_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField(
        _("author's name"), max_length=150, blank=True, help_text=_("Kept when the account is deleted.")
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Note %(id)s on lead %(lead)s") % {"id": self.pk, "lead": self.lead_id}


class ExportJob(models.Model):
    """A large lead export running in the background; its file is private and expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    filters = models.JSONField(
        _("filters"), default=dict, help_text=_("The list filters and search in force.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead export")
        verbose_name_plural = _("lead exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_format_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress_percent(self):
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class FunnelCount(models.Model):
    """How many readers reached a wizard step, or answered a question, per page and questionnaire.

    ``date`` is the readers' cohort day (the day they started the wizard), so one day's rows describe
    the readers who started that day. A row counts either a step (``step`` set, ``question`` empty) or
    a question answered (``question`` set, ``step`` empty). Holds no personal data.
    """

    date = models.DateField(_("date"))
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(_("step"), max_length=50, help_text=_("A step key, 'contact' or 'success'."))
    question = models.CharField(
        _("question"),
        max_length=50,
        blank=True,
        default="",
        help_text=_("A question key for readers who answered it; empty when the row counts a step."),
    )
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("funnel count")
        verbose_name_plural = _("funnel counts")
        constraints = [
            models.UniqueConstraint(
                fields=["date", "page", "questionnaire", "step", "question"],
                name="leadwizard_funnel_unique_day_step_question",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.step}: {self.count}"


class ExportPreset(models.Model):
    """A named choice of export columns (in order), language, CSV dialect and format.

    Presets are shared: everyone who may export leads sees and uses them, so a team
    keeps one "Newsletter tool" preset instead of one per person. Changing or
    deleting one is for its owner, superusers and users with the model's change or
    delete permission (``leadwizard.exports.presets.can_change_preset``).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(
        _("columns"),
        default=list,
        help_text=_("Column keys in export order; columns that no longer exist are skipped."),
    )
    format = models.CharField(
        _("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")], default="csv"
    )
    dialect = models.CharField(_("CSV dialect"), max_length=20, default="excel_de")
    language = models.CharField(_("language"), max_length=10, default="de")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("export preset")
        verbose_name_plural = _("export presets")
        ordering = ["name"]

    def __str__(self):
        return self.name
