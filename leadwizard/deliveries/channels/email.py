"""The e-mail channels: the sales inbox's notification, the reader's confirmation, the marketing opt-in,
and the mails consultants cause: the shortlist to the reader and the assignment notice.

Each mail is rendered from ``leadwizard/emails/<template>.txt`` and ``.html`` in
the language it is meant for, and sent as one message with both parts. Suspected
spam gets no e-mail to the address it names (no backscatter); the sales inbox
still hears of it, marked in the subject.
"""

import html
import re
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.rich_text import expand_db_html

from ...admin_urls import lead_admin_url
from ...conf import app_settings
from ...models import Delivery, Lead, Shortlist, VendorHandover
from ..errors import DeliveryError, PermanentFailure
from ..links import absolute_links, site_root_url
from ..optin import OPTIN_MAX_AGE, optin_url
from ..outcomes import shortlist_accepted
from ..results import results_url
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


def sender_address(display_name=""):
    """``DEFAULT_FROM_EMAIL``, shown under ``display_name`` (e.g. the consultant's name) when one is given."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    display_name = one_line(display_name) or name
    return formataddr((display_name, address)) if display_name else settings.DEFAULT_FROM_EMAIL


def build_mail(template, subject, to, context, language, reply_to=None, from_name=""):
    """The message ``template`` renders as text and HTML in ``language``: what is sent, and what a preview shows."""
    with translation.override(language):
        context = {"site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""), **context}
        text = render_to_string(f"leadwizard/emails/{template}.txt", context)
        markup = render_to_string(f"leadwizard/emails/{template}.html", context)
        subject = one_line(subject())
    message = EmailMultiAlternatives(
        subject, text, sender_address(from_name), [to], reply_to=[reply_to] if reply_to else None
    )
    message.attach_alternative(markup, "text/html")
    return message


def send_mail(template, subject, to, context, language, reply_to=None, from_name=""):
    """Render ``template`` as text and HTML in ``language`` and send it as one message with an alternative."""
    message = build_mail(template, subject, to, context, language, reply_to=reply_to, from_name=from_name)
    if message.send() != 1:
        raise DeliveryError("the mail backend accepted no message")


def lead_page_in_admin(lead):
    """The absolute link to the lead's page in the admin, for staff mails."""
    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '').rstrip('/')}{lead_admin_url('inspect', lead)}"


def lead_context(lead):
    return {"lead": lead, "questionnaire": lead.questionnaire, "answer_groups": lead.answer_labels or []}


class SalesNotification(DeliveryChannel):
    """Tells the sales inbox about the lead, in the site's language; replies go to the reader."""

    kind = Delivery.Kind.SALES_NOTIFICATION
    label = Delivery.Kind.SALES_NOTIFICATION.label

    def plan(self, lead):
        address = sales_address(lead)
        return [PlannedDelivery(address)] if address else []

    def send(self, delivery, lead):
        context = {
            **lead_context(lead),
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
    """Asks the reader to confirm the marketing consent (double opt-in); sets the sent time."""

    kind = Delivery.Kind.MARKETING_OPT_IN
    label = Delivery.Kind.MARKETING_OPT_IN.label

    def plan(self, lead):
        return super().plan(lead) if lead.marketing_consent else []

    def send(self, delivery, lead):
        if not lead.marketing_consent:
            raise PermanentFailure("the lead has no marketing consent to confirm")
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
