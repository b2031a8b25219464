"""The e-mail channels: the sales inbox's notification, the reader's confirmation, the marketing opt-in,
and the mails consultants cause: the shortlist to the reader and the assignment notice.

Each mail is rendered from ``leadwizard/emails/<template>.txt`` and ``.html`` in
the language it is meant for, and sent as one message with both parts. Suspected
spam gets no e-mail to the address it names (no backscatter); the sales inbox
still hears of it, marked in the subject.

Mails sent because of the marketing consent (channels with ``marketing = True``)
carry ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058) and a visible
unsubscribe link, and never go to a lead whose consent was withdrawn.
"""

import html
import re
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Locale, Site
from wagtail.rich_text import expand_db_html

from ...admin_urls import lead_admin_url
from ...conf import app_settings
from ...models import Delivery, Lead, Shortlist, VendorHandover
from ..errors import DeliveryError, PermanentFailure
from ..links import absolute_links, site_root_url
from ..optin import OPTIN_MAX_AGE, optin_url
from ..outcomes import shortlist_accepted
from ..results import results_url
from ..unsubscribe import unsubscribe_url
from .base import DeliveryChannel, PlannedDelivery


def one_line(value):
    """Header-safe: user input in a subject must not contain line breaks."""
    return " ".join(str(value).split())


def rich_text_as_plain_text(markup):
    """Rich text for a text/plain e-mail: paragraphs and list items on lines of their own, links spelt out."""
    text = re.sub(
        r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: (
            m.group(2) if strip_tags(m.group(2)).strip() == m.group(1) else f"{m.group(2)} ({m.group(1)})"
        ),
        markup or "",
        flags=re.DOTALL,
    )
    text = re.sub(r"<li[^>]*>", "- ", text)
    text = re.sub(r"</(p|li|h[1-6]|ol|ul)>|<br\s*/?>", "\n", text)
    text = html.unescape(strip_tags(text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def sales_address(lead):
    """The questionnaire's notification address, else the site's sales inbox; "" when there is neither."""
    questionnaire = lead.questionnaire
    return (questionnaire.notification_email if questionnaire else "") or app_settings.SALES_EMAIL


def site_name():
    """The name of the default Wagtail site, as readers know it; else ``WAGTAIL_SITE_NAME``."""
    site = Site.objects.filter(is_default_site=True).only("site_name").first()
    return one_line((site.site_name if site else "") or getattr(settings, "WAGTAIL_SITE_NAME", ""))


def sender_address(display_name=""):
    """``DEFAULT_FROM_EMAIL`` shown under ``display_name`` (e.g. the consultant's name) when one is given.

    Otherwise under the display name ``DEFAULT_FROM_EMAIL`` has, and when it has none,
    under the site's name: a bare address in the inbox does not tell readers who writes.
    """
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    display_name = one_line(display_name) or name or site_name()
    return formataddr((display_name, address)) if display_name else settings.DEFAULT_FROM_EMAIL


def unsubscribe_headers(url):
    """RFC 2369 and RFC 8058 headers: mail clients offer an unsubscribe button that POSTs to ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def build_mail(template, subject, to, context, language, reply_to=None, from_name="", unsubscribe_link=""):
    """The message ``template`` renders as text and HTML in ``language``: what is sent, and what a preview shows.

    With ``unsubscribe_link`` (marketing mails) the message gets the one-click headers and
    the templates get ``unsubscribe_url`` for the visible link.
    """
    with translation.override(language):
        context = {"site_name": site_name(), "unsubscribe_url": unsubscribe_link, **context}
        text = render_to_string(f"leadwizard/emails/{template}.txt", context)
        markup = render_to_string(f"leadwizard/emails/{template}.html", context)
        subject = one_line(subject())
    message = EmailMultiAlternatives(
        subject,
        text,
        sender_address(from_name),
        [to],
        reply_to=[reply_to] if reply_to else None,
        headers=unsubscribe_headers(unsubscribe_link) if unsubscribe_link else None,
    )
    message.attach_alternative(markup, "text/html")
    return message


def send_mail(template, subject, to, context, language, reply_to=None, from_name="", unsubscribe_link=""):
    """Render ``template`` as text and HTML in ``language`` and send it as one message with an alternative."""
    message = build_mail(
        template,
        subject,
        to,
        context,
        language,
        reply_to=reply_to,
        from_name=from_name,
        unsubscribe_link=unsubscribe_link,
    )
    if message.send() != 1:
        raise DeliveryError("the mail backend accepted no message")


def lead_page_in_admin(lead):
    """The absolute link to the lead's page in the admin, for staff mails."""
    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '').rstrip('/')}{lead_admin_url('inspect', lead)}"


def lead_context(lead):
    return {"lead": lead, "questionnaire": lead.questionnaire, "answer_groups": lead.answer_labels or []}


def score_label(score):
    """A match score with its unit, as the current language writes it: "87 %", "87,5 %"."""
    if score is None or score == "":
        return "–"
    try:
        value = float(score)
    except (TypeError, ValueError):
        return str(score)
    digits = 0 if value == int(value) else 1
    return f"{number_format(value, digits)}\u00a0%"


def matches_with_units(lead):
    return [{**match, "score_label": score_label(match.get("score"))} for match in lead.top_matches or []]


def staff_questionnaire(lead):
    """The lead's questionnaire in the site's language (its translation), else as the reader used it."""
    questionnaire = lead.questionnaire
    if questionnaire is None:
        return None
    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    if default is None or questionnaire.locale_id == default.pk:
        return questionnaire
    return questionnaire.get_translation_or_none(default) or questionnaire


def staff_context(lead):
    """The lead for staff mails: answers labelled in the site's language, whatever the reader's.

    The answers are stored as the reader saw them; an English reader's would give the
    German mail English questions. With the questionnaire's translation in the site's
    language they are labelled again from the stored answer keys; without one they stay
    as shown (there are no other words for them).
    """
    questionnaire = staff_questionnaire(lead)
    answer_groups = lead.answer_labels or []
    if questionnaire is not None and questionnaire != lead.questionnaire:
        answer_groups = questionnaire.definition.labelled_answers(lead.answers or {})
    return {
        "lead": lead,
        "questionnaire": questionnaire,
        "answer_groups": answer_groups,
        "top_matches": matches_with_units(lead),
        "lead_language": language_label(lead.locale),
    }


def language_label(code):
    """The reader's language in words of the current language, with its code: "Englisch (en)"."""
    try:
        return f"{translation.get_language_info(code)['name_translated']} ({code})"
    except KeyError:
        return code or "–"


class SalesNotification(DeliveryChannel):
    """Tells the sales inbox about the lead, all in the site's language (``LANGUAGE_CODE``); replies go to the reader.

    The sales team reads every lead in one language: subject, headings and the
    answers (labelled again from the questionnaire's translation), whatever the
    language the reader used.
    """

    kind = Delivery.Kind.SALES_NOTIFICATION
    label = Delivery.Kind.SALES_NOTIFICATION.label

    def plan(self, lead):
        address = sales_address(lead)
        return [PlannedDelivery(address)] if address else []

    def send(self, delivery, lead):
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                **staff_context(lead),
                "admin_url": lead_page_in_admin(lead),
                "utm": [(name, getattr(lead, name)) for name in Lead.UTM_FIELDS if getattr(lead, name)],
            }

        def subject():
            values = {"company": lead.company, "name": lead.name}
            if lead.is_spam:
                return _("Suspected spam: new lead from %(company)s (%(name)s)") % values
            return _("New lead from %(company)s (%(name)s)") % values

        send_mail(
            "sales_notification",
            subject,
            delivery.target,
            context,
            settings.LANGUAGE_CODE,
            reply_to=lead.email or None,
        )


class ReaderMail(DeliveryChannel):
    """A mail to the reader, in their language; never to suspected spam."""

    def plan(self, lead):
        if lead.is_spam or not lead.email:
            return []
        return [PlannedDelivery(lead.email)]


class ReaderConfirmation(ReaderMail):
    """Confirms the request to the reader: what they asked, next steps, how to withdraw."""

    kind = Delivery.Kind.READER_CONFIRMATION
    label = Delivery.Kind.READER_CONFIRMATION.label

    def send(self, delivery, lead):
        root = site_root_url(lead)
        questionnaire = lead.questionnaire
        next_steps = absolute_links(
            expand_db_html(questionnaire.next_steps_for(lead.match_count)) if questionnaire else "", root
        )
        consent = absolute_links(lead.consent_text, root)
        contact_email = sales_address(lead)
        context = {
            **lead_context(lead),
            # Both are editors' rich text (sanitised by Wagtail), as the reader saw them on the site.
            "next_steps_html": mark_safe(next_steps),  # noqa: S308
            "next_steps_text": rich_text_as_plain_text(next_steps),
            "consent_html": mark_safe(consent),  # noqa: S308
            "consent_text": rich_text_as_plain_text(consent),
            "contact_email": contact_email,
            "site_url": root,
            "results_url": results_url(lead),
            "results_days": app_settings.RESULTS_MAX_AGE // (24 * 3600),
        }
        send_mail(
            "reader_confirmation",
            lambda: _("We have received your request"),
            delivery.target,
            context,
            lead.locale or settings.LANGUAGE_CODE,
            reply_to=contact_email or None,
        )


class MarketingOptIn(ReaderMail):
    """Asks the reader to confirm the marketing consent (double opt-in); sets the sent time.

    A marketing mail (unsubscribe headers and link), but the one that still goes to
    an address that withdrew before: confirming it is how the address opts in again.
    """

    kind = Delivery.Kind.MARKETING_OPT_IN
    label = Delivery.Kind.MARKETING_OPT_IN.label
    #: Sent because of the marketing consent: unsubscribe headers and link, nothing after a withdrawal.
    marketing = True
    #: ``planning`` plans no marketing mail for a withdrawn address, except this one.
    reaches_withdrawn_addresses = True

    def plan(self, lead):
        return super().plan(lead) if lead.marketing_consent else []

    def send(self, delivery, lead):
        if not lead.marketing_consent:
            raise PermanentFailure("the lead has no marketing consent to confirm")
        if lead.marketing_withdrawn_at:
            raise PermanentFailure("the reader withdrew the marketing consent")
        if lead.marketing_confirmed_at:
            return  # confirmed already: nothing to ask
        contact_email = sales_address(lead)
        context = {
            **lead_context(lead),
            "confirm_url": optin_url(lead),
            "max_age_days": OPTIN_MAX_AGE // (24 * 3600),
            "contact_email": contact_email,
        }
        send_mail(
            "marketing_opt_in",
            lambda: _("Please confirm that you would like to receive news"),
            delivery.target,
            context,
            lead.locale or settings.LANGUAGE_CODE,
            reply_to=contact_email or None,
            unsubscribe_link=unsubscribe_url(lead),
        )
        Lead.objects.filter(pk=lead.pk).update(marketing_confirmation_sent_at=timezone.now())


class OnDemandMail(DeliveryChannel):
    """A mail an operation asks for (a shortlist, an assignment); never planned for a new lead."""

    def plan(self, lead):
        return []


def shortlist_mail_context(shortlist, lead):
    root = site_root_url(lead)
    return {
        **lead_context(lead),
        "shortlist": shortlist,
        "vendors": shortlist.vendors,
        "message_paragraphs": [part.strip() for part in shortlist.message.split("\n\n") if part.strip()],
        "consultant_name": shortlist.consultant_name,
        "reply_to": shortlist.reply_to,
        "site_url": root,
        "results_url": results_url(lead),
    }


def shortlist_mail(shortlist, lead):
    """The shortlist e-mail as the reader gets it, in the lead's language: sent, and shown as the preview."""
    count = len(shortlist.vendors)
    return build_mail(
        "shortlist",
        lambda: (
            ngettext(
                "Your shortlist: %(count)d CRM system chosen for you",
                "Your shortlist: %(count)d CRM systems chosen for you",
                count,
            )
            % {"count": count}
        ),
        lead.email,
        shortlist_mail_context(shortlist, lead),
        shortlist.language or lead.locale or settings.LANGUAGE_CODE,
        reply_to=shortlist.reply_to or sales_address(lead) or None,
        from_name=shortlist.consultant_name,
    )


class ShortlistMail(OnDemandMail):
    """The consultant's shortlist to the reader; the lead's status follows only once the mail was accepted."""

    kind = Delivery.Kind.SHORTLIST
    label = Delivery.Kind.SHORTLIST.label

    def send(self, delivery, lead):
        shortlist = Shortlist.objects.filter(delivery=delivery).first()
        if shortlist is None:
            raise PermanentFailure("the shortlist of this delivery no longer exists")
        if not lead.email:
            raise PermanentFailure("the lead has no e-mail address")
        message = shortlist_mail(shortlist, lead)
        if message.send() != 1:
            raise DeliveryError("the mail backend accepted no message")
        shortlist_accepted(shortlist, lead)


class AssignmentMail(OnDemandMail):
    """Tells a consultant that a lead was assigned to them, with a link to it; in the site's language."""

    kind = Delivery.Kind.ASSIGNMENT
    label = Delivery.Kind.ASSIGNMENT.label

    def send(self, delivery, lead):
        context = {
            **lead_context(lead),
            "admin_url": lead_page_in_admin(lead),
            "assignee": lead.assignee,
        }
        send_mail(
            "assignment",
            lambda: _("Lead assigned to you: %(company)s") % {"company": lead.company or lead.pk},
            delivery.target,
            context,
            settings.LANGUAGE_CODE,
        )


class VendorHandoverMail(OnDemandMail):
    """Hands the lead to a vendor the reader agreed may contact them; replies go to the reader."""

    kind = Delivery.Kind.VENDOR_HANDOVER
    label = Delivery.Kind.VENDOR_HANDOVER.label

    def send(self, delivery, lead):
        handover = VendorHandover.objects.filter(delivery=delivery).first()
        if handover is None:
            raise PermanentFailure("the hand-over of this delivery no longer exists")
        if not lead.vendor_consent:
            raise PermanentFailure("the reader did not agree to be contacted by vendors")
        context = {
            **lead_context(lead),
            "handover": handover,
            "consent_text": rich_text_as_plain_text(lead.vendor_consent_text),
            "consent_html": mark_safe(lead.vendor_consent_text),  # noqa: S308 - stored from editors' rich text
        }
        send_mail(
            "vendor_handover",
            lambda: (
                _("A customer request for %(vendor)s: %(company)s")
                % {"vendor": handover.vendor_name, "company": lead.company}
            ),
            delivery.target,
            context,
            settings.LANGUAGE_CODE,
            reply_to=lead.email or None,
        )
