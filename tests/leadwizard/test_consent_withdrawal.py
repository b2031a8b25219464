"""Withdrawing the marketing consent: unsubscribe headers and page (RFC 8058), staff's record, the listing's
filter, and that a withdrawn address gets no marketing mail again until it opts in again."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from leadwizard.consent import LOG_MARKETING_WITHDRAWN, address_hash
from leadwizard.deliveries import attempts, unsubscribe
from leadwizard.deliveries.channels.base import DeliveryChannel, PlannedDelivery
from leadwizard.deliveries.channels.email import MarketingOptIn, SalesNotification
from leadwizard.deliveries.errors import PermanentFailure
from leadwizard.deliveries.planning import schedule_deliveries
from leadwizard.exports.filters import filter_leads
from leadwizard.models import Delivery, Lead, LeadNote, MarketingState, MarketingSuppression, WithdrawalSource
from leadwizard.privacy import erase_lead
from leadwizard.timeline import lead_timeline
from tests.factories import (
    LeadFactory,
    QuestionnaireFactory,
    build_wizard_page,
    question,
    soup,
    staff_user,
    steps_json,
)
from tests.utils import submit_lead

pytestmark = pytest.mark.django_db

OPTIN_RE = re.compile(r"https?://[^\s\"<>]+/optin/[^\s\"<>]+/")
UNSUBSCRIBE_RE = re.compile(r"https?://[^\s\"<>]+/unsubscribe/[^\s\"<>]+/")
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.LEADWIZARD_MIN_SECONDS = 0


@pytest.fixture
def wizard_page(site_tree):
    return build_wizard_page(site_tree)


@pytest.fixture
def subscribe(client, wizard_page, mailoutbox, django_capture_on_commit_callbacks):
    """Run the wizard with the marketing box ticked; returns (lead, its opt-in mail)."""
    _questionnaire, page, block_id = wizard_page

    def run(**contact):
        submit_lead(
            client,
            page,
            block_id,
            capture=django_capture_on_commit_callbacks,
            marketing_consent="on",
            **contact,
        )
        lead = Lead.objects.latest("pk")
        message = next(m for m in reversed(mailoutbox) if m.to == [lead.email] and OPTIN_RE.search(m.body))
        return lead, message

    return run


def path_of(url):
    return urlsplit(url).path


def unsubscribe_path(message):
    return path_of(UNSUBSCRIBE_RE.search(message.body).group(0))


def withdrawal_entries(lead):
    return ModelLogEntry.objects.filter(object_id=str(lead.pk), action=LOG_MARKETING_WITHDRAWN)


# The mail -----------------------------------------------------------------------------------------


def test_the_opt_in_mail_carries_rfc_8058_headers_and_a_visible_link(subscribe):
    lead, message = subscribe()
    header = message.extra_headers["List-Unsubscribe"]
    # RFC 2369: the URL in angle brackets; RFC 8058: https (here the test site's http) and the POST header.
    url = re.fullmatch(r"<(https?://[^>]+)>", header).group(1)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with translation.override("de"):
        prefix = reverse("leadwizard:unsubscribe", args=["TOKEN"]).replace("TOKEN/", "")
    assert url.startswith("http://localhost" + prefix)
    # The headers survive into the message as sent.
    sent = message.message()
    assert sent["List-Unsubscribe"] == header
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Readers whose client shows no button see the same link in both parts.
    assert url in message.body
    html, _mimetype = message.alternatives[0]
    assert f'href="{url}"' in html


def test_mails_not_sent_because_of_marketing_consent_have_no_unsubscribe_headers(subscribe, mailoutbox):
    lead, optin_message = subscribe()
    others = [m for m in mailoutbox if m is not optin_message]
    assert others  # the sales notification and the reader's confirmation
    assert all("List-Unsubscribe" not in m.extra_headers for m in others)


# One-click (RFC 8058) -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_one_click_post_without_cookies_or_csrf_withdraws_once(subscribe, encoding):
    lead, message = subscribe()
    path = unsubscribe_path(message)
    # A mail provider's server: no cookies, no CSRF token, the fixed body of RFC 8058.
    client = Client(enforce_csrf_checks=True)
    if encoding == "multipart":
        response = client.post(path, ONE_CLICK)
    else:
        response = client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 200
    assert not response.cookies
    lead.refresh_from_db()
    assert lead.marketing_withdrawal_source == WithdrawalSource.ONE_CLICK
    assert lead.marketing_consent_state == MarketingState.WITHDRAWN
    first = lead.marketing_withdrawn_at
    assert first is not None
    assert withdrawal_entries(lead).count() == 1

    # Providers retry; a second request changes nothing, not even the time.
    assert client.post(path, ONE_CLICK).status_code == 200
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at == first
    assert withdrawal_entries(lead).count() == 1
    assert MarketingSuppression.objects.count() == 1


def test_a_post_with_another_body_still_needs_the_csrf_token(subscribe):
    lead, message = subscribe()
    client = Client(enforce_csrf_checks=True)
    assert client.post(unsubscribe_path(message), {"List-Unsubscribe": "yes"}).status_code == 403
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None


# The page -----------------------------------------------------------------------------------------


def test_opening_the_link_asks_and_only_the_button_withdraws(subscribe):
    lead, message = subscribe()
    path = unsubscribe_path(message)
    client = Client(enforce_csrf_checks=True)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    html = soup(response)
    assert html.find("html")["lang"] == "de"
    assert html.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert html.find("h1").get_text(strip=True)
    form = html.find("form", attrs={"method": "post", "action": path})
    assert form.find("button", attrs={"type": "submit"})
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None  # a link scanner opening it withdraws nothing

    assert client.post(path).status_code == 403  # the button's form needs its CSRF token
    token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    response = client.post(path, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == path
    lead.refresh_from_db()
    assert lead.marketing_withdrawal_source == WithdrawalSource.LINK
    assert not lead.has_marketing_consent

    html = soup(client.get(path))
    assert not html.find("form", attrs={"action": path})
    assert html.find(attrs={"role": "status"})


def test_the_page_speaks_english_for_english_readers(subscribe, wizard_page, site_tree):
    lead, message = subscribe()
    Lead.objects.filter(pk=lead.pk).update(locale="en")
    lead.refresh_from_db()
    url = unsubscribe.unsubscribe_url(lead)
    assert path_of(url).startswith("/en/leadwizard/unsubscribe/")
    html = soup(Client().get(path_of(url)))
    assert html.find("html")["lang"] == "en"
    assert html.find("h1").get_text(strip=True) == "Unsubscribe from news"


@pytest.mark.parametrize(
    "tamper",
    [lambda path: path.replace("/unsubscribe/", "/unsubscribe/x"), lambda path: path[:-3] + "ab/"],
    ids=["prefix", "signature"],
)
def test_forged_links_withdraw_nothing(subscribe, tamper):
    lead, message = subscribe()
    path = tamper(unsubscribe_path(message))
    client = Client()
    assert client.get(path).status_code == 404
    assert client.post(path, ONE_CLICK).status_code == 404
    assert client.post(path).status_code == 404
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None
    assert not MarketingSuppression.objects.exists()


def test_tokens_of_other_links_withdraw_nothing(subscribe):
    lead, _message = subscribe()
    # The opt-in link's token names the same lead, but with another salt.
    optin_token = OPTIN_RE.search(_message.body).group(0).rstrip("/").rsplit("/", 1)[1]
    assert Client().post(reverse("leadwizard:unsubscribe", args=[optin_token]), ONE_CLICK).status_code == 404
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None


def test_expired_links_withdraw_nothing(subscribe, monkeypatch):
    lead, message = subscribe()
    path = unsubscribe_path(message)
    monkeypatch.setattr(unsubscribe, "UNSUBSCRIBE_MAX_AGE", -1)
    client = Client()
    response = client.get(path)
    assert response.status_code == 410
    assert not soup(response).find("form", attrs={"action": path})
    assert client.post(path, ONE_CLICK).status_code == 410
    assert client.post(path).status_code == 410
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None


# What a withdrawal does -------------------------------------------------------------------------


def test_a_withdrawal_marks_every_lead_of_the_address_and_cancels_waiting_marketing_mail(site_tree):
    lead = LeadFactory(email="Erika@Muster.example", marketing_consent=True)
    other = LeadFactory(
        email="erika@muster.example ", marketing_consent=True, marketing_confirmed_at=timezone.now()
    )
    stranger = LeadFactory(email="max@muster.example", marketing_consent=True)
    waiting = Delivery.objects.create(lead=other, kind=Delivery.Kind.MARKETING_OPT_IN, target=other.email)
    sales = Delivery.objects.create(
        lead=other, kind=Delivery.Kind.SALES_NOTIFICATION, target="vertrieb@x.example"
    )

    marked = unsubscribe.withdraw_marketing(lead, WithdrawalSource.LINK)

    assert {item.pk for item in marked} == {lead.pk, other.pk}
    other.refresh_from_db()
    stranger.refresh_from_db()
    assert other.marketing_consent_state == MarketingState.WITHDRAWN
    assert not other.has_marketing_consent  # confirmed before, withdrawn now: the withdrawal wins
    assert stranger.marketing_withdrawn_at is None
    waiting.refresh_from_db()
    sales.refresh_from_db()
    assert waiting.status == Delivery.Status.GAVE_UP
    assert sales.status == Delivery.Status.PENDING  # not a marketing mail
    with pytest.raises(PermanentFailure):
        MarketingOptIn().send(waiting, other)


def test_the_timeline_and_the_lead_page_show_the_withdrawal(client, site_tree):
    user = staff_user("sam", "leadwizard.view_lead", "leadwizard.change_lead")
    lead = LeadFactory(marketing_consent=True, marketing_confirmed_at=timezone.now())
    unsubscribe.withdraw_marketing(lead, WithdrawalSource.ONE_CLICK)
    with translation.override("en"):
        titles = [str(event.title) for event in lead_timeline(lead)]
    assert "Marketing consent withdrawn: one-click unsubscribe (RFC 8058)" in titles
    assert "Marketing consent confirmed" in titles
    # The admin in English, whatever the site's language.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    html = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    assert "Withdrawn" in html and "one-click unsubscribe (RFC 8058)" in html


# Staff record a withdrawal ----------------------------------------------------------------------


def test_staff_who_may_change_leads_record_a_withdrawal_by_phone(client, site_tree):
    user = staff_user("sam", "leadwizard.view_lead", "leadwizard.change_lead")
    lead = LeadFactory(marketing_consent=True, marketing_confirmed_at=timezone.now())
    client.force_login(user)
    inspect = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    url = reverse("leadwizard_admin:withdraw_marketing", args=[lead.pk])
    assert f'href="{url}"' in inspect

    response = client.get(url)
    assert response.status_code == 200
    html = soup(response)
    assert html.find("html")["lang"] == "en"  # the admin's language
    form = html.find("form", attrs={"method": "post", "action": url})
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    sources = [box["value"] for box in form.find_all("input", attrs={"name": "source"})]
    assert sources == ["phone", "letter", "email", "other"]  # the reader's own routes are not staff's

    assert client.post(url, {"note": "x"}).status_code == 200  # no source: the form again, nothing recorded
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None

    response = client.post(url, {"source": "phone", "note": "Anruf am Vormittag"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.marketing_withdrawal_source == WithdrawalSource.PHONE
    [entry] = withdrawal_entries(lead)
    assert entry.user == user
    assert entry.data["source"] == "phone"
    assert LeadNote.objects.get(lead=lead).text == "Anruf am Vormittag"


def test_staff_record_a_withdrawal_only_with_csrf_token(site_tree):
    user = staff_user("sam", "leadwizard.view_lead", "leadwizard.change_lead")
    lead = LeadFactory(marketing_consent=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("leadwizard_admin:withdraw_marketing", args=[lead.pk])
    assert client.post(url, {"source": "letter"}).status_code == 403
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None


def refused(response):
    """403, or Wagtail's way of refusing a signed-in admin user: back to the dashboard with a message."""
    if response.status_code == 302:
        return response["Location"] == reverse("wagtailadmin_home")
    return response.status_code == 403


def test_staff_who_may_only_view_leads_cannot_record_a_withdrawal(client, site_tree):
    user = staff_user("vera", "leadwizard.view_lead")
    lead = LeadFactory(marketing_consent=True)
    client.force_login(user)
    url = reverse("leadwizard_admin:withdraw_marketing", args=[lead.pk])
    for response in (client.get(url), client.post(url, {"source": "letter"})):
        assert refused(response)
    lead.refresh_from_db()
    assert lead.marketing_withdrawn_at is None
    inspect = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    assert url not in inspect


# The listing's filter ---------------------------------------------------------------------------


@pytest.fixture
def leads_in_each_state(site_tree):
    now = timezone.now()
    return {
        MarketingState.NONE: LeadFactory(name="Nora Nichts"),
        MarketingState.ASKED: LeadFactory(name="Anna Angefragt", marketing_consent=True),
        MarketingState.CONFIRMED: LeadFactory(
            name="Clara Bestaetigt", marketing_consent=True, marketing_confirmed_at=now
        ),
        # Confirmed first, withdrawn later: withdrawn.
        MarketingState.WITHDRAWN: LeadFactory(
            name="Willi Widerrufen",
            marketing_consent=True,
            marketing_confirmed_at=now,
            marketing_withdrawn_at=now,
            marketing_withdrawal_source=WithdrawalSource.LETTER,
        ),
    }


@pytest.mark.parametrize("state", list(MarketingState))
def test_the_listing_filters_by_consent_state(client, leads_in_each_state, state):
    assert {lead.marketing_consent_state for lead in leads_in_each_state.values()} == set(MarketingState)
    assert [lead.pk for lead in filter_leads({"marketing_consent_state": [state.value]})] == [
        leads_in_each_state[state].pk
    ]
    client.force_login(staff_user("sam", "leadwizard.view_lead"))
    html = client.get(
        reverse("leadwizard_leads:index"), {"marketing_consent_state": state.value}
    ).content.decode()
    for other_state, lead in leads_in_each_state.items():
        assert (lead.name in html) == (other_state == state)


def test_the_filter_combines_states(leads_in_each_state):
    params = {"marketing_consent_state": ["asked", "confirmed"]}
    assert set(filter_leads(params)) == {
        leads_in_each_state[MarketingState.ASKED],
        leads_in_each_state[MarketingState.CONFIRMED],
    }


# A withdrawn address asks again -----------------------------------------------------------------


class NewsletterWelcome(DeliveryChannel):
    """A site's own marketing mail for new leads with marketing consent (as docs/extending.md allows)."""

    kind = "newsletter_welcome"
    label = "Newsletter welcome"
    marketing = True

    def plan(self, lead):
        return [PlannedDelivery(lead.email)] if lead.marketing_consent else []

    def send(self, delivery, lead):
        pass


@pytest.fixture
def with_newsletter_channel(settings):
    from leadwizard.conf import app_settings

    settings.LEADWIZARD_DELIVERY_CHANNELS = [
        *app_settings.DELIVERY_CHANNELS,
        f"{__name__}.NewsletterWelcome",
    ]


def test_a_new_lead_from_a_withdrawn_address_gets_only_the_opt_in_mail(
    subscribe, with_newsletter_channel, mailoutbox
):
    first, message = subscribe()
    assert first.deliveries.filter(kind="newsletter_welcome").exists()  # the channel works for others
    Client().post(unsubscribe_path(message), ONE_CLICK)
    mailoutbox.clear()

    second, optin_message = subscribe(email="ERIKA@muster.example")  # the same address, written otherwise
    kinds = set(second.deliveries.values_list("kind", flat=True))
    assert Delivery.Kind.MARKETING_OPT_IN in kinds  # that is how the address opts in again
    assert "newsletter_welcome" not in kinds
    assert second.marketing_consent_state == MarketingState.ASKED
    assert MarketingSuppression.is_withdrawn(second.email)

    # Confirming the new opt-in lifts the withdrawal of the address; the first lead keeps its record.
    client = Client()
    client.post(path_of(OPTIN_RE.search(optin_message.body).group(0)))
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.has_marketing_consent
    assert not MarketingSuppression.is_withdrawn(second.email)
    assert first.marketing_consent_state == MarketingState.WITHDRAWN

    third = LeadFactory(email=second.email, marketing_consent=True)
    schedule_deliveries(third)
    assert third.deliveries.filter(kind="newsletter_welcome").exists()


def test_the_opt_in_link_of_a_withdrawn_lead_confirms_nothing(subscribe):
    lead, message = subscribe()
    unsubscribe.withdraw_marketing(lead, WithdrawalSource.LINK)
    optin_path = path_of(OPTIN_RE.search(message.body).group(0))
    client = Client()
    assert client.get(optin_path).status_code == 410
    assert client.post(optin_path).status_code == 410
    lead.refresh_from_db()
    assert lead.marketing_confirmed_at is None
    assert MarketingSuppression.is_withdrawn(lead.email)


def test_a_withdrawal_before_the_opt_in_mail_went_out_stops_it(subscribe, site_tree, mailoutbox):
    lead = LeadFactory(marketing_consent=True)
    delivery = Delivery.objects.create(
        lead=lead, kind=Delivery.Kind.MARKETING_OPT_IN, target=lead.email, next_attempt_at=timezone.now()
    )
    unsubscribe.withdraw_marketing(lead, WithdrawalSource.EMAIL)
    attempts.attempt(delivery)
    assert not [m for m in mailoutbox if m.to == [lead.email]]


# Erasure and privacy ----------------------------------------------------------------------------


def test_erasure_keeps_no_address_but_the_withdrawal_holds(subscribe):
    lead, message = subscribe()
    email = lead.email
    Client().post(unsubscribe_path(message), ONE_CLICK)
    erase_lead(lead)

    [row] = MarketingSuppression.objects.values()
    stored = " ".join(str(value) for value in row.values()).lower()
    assert email.lower() not in stored and email.split("@")[0] not in stored
    # A keyed hash: nobody can check a list of addresses against it without the secret key.
    import hashlib

    assert row["email_hash"] != hashlib.sha256(email.lower().encode()).hexdigest()
    assert row["email_hash"] == address_hash(email)
    assert not Lead.objects.filter(email__iexact=email).exists()
    # A later request from the address is still recognised.
    assert MarketingSuppression.is_withdrawn(f"  {email.upper()} ")


def test_withdrawals_are_still_recognised_after_the_secret_key_is_rotated(site_tree, settings):
    lead = LeadFactory()
    unsubscribe.withdraw_marketing(lead, WithdrawalSource.LETTER)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "y" * 50
    assert MarketingSuppression.is_withdrawn(lead.email)


# Small mail fixes -------------------------------------------------------------------------------


def test_the_sender_is_named_after_the_site_when_the_address_has_no_name(subscribe, settings, mailoutbox):
    settings.DEFAULT_FROM_EMAIL = "news@crm-vergleich.example"
    lead, message = subscribe()
    assert message.from_email == "CRM-Vergleich <news@crm-vergleich.example>"  # the default Site's site_name
    assert all(m.from_email == message.from_email for m in mailoutbox)


def test_a_display_name_in_default_from_email_is_kept(subscribe, settings):
    settings.DEFAULT_FROM_EMAIL = "Team Auswahl <news@crm-vergleich.example>"
    _lead, message = subscribe()
    assert message.from_email == "Team Auswahl <news@crm-vergleich.example>"


def english_steps():
    return [
        (
            "industry",
            "Industry",
            [
                question(
                    "industry",
                    "Which industry are you in?",
                    "single",
                    "industry",
                    options=[("handel", "Retail"), ("handwerk", "Crafts"), ("it", "IT")],
                ),
            ],
        ),
    ]


def sales_mail_for(lead, mailoutbox):
    delivery = Delivery.objects.create(lead=lead, kind=Delivery.Kind.SALES_NOTIFICATION, target="v@x.example")
    SalesNotification().send(delivery, lead)
    return mailoutbox[-1]


def test_the_sales_mail_of_an_english_lead_is_all_in_the_sales_teams_language(site_tree, mailoutbox):
    german = QuestionnaireFactory()
    english = german.copy_for_translation(site_tree.en)
    english.title = "Start your CRM selection"
    english.steps = steps_json(english_steps())
    english.save()
    lead = LeadFactory(questionnaire=english, locale="en", answers={"industry": "handel"})
    assert lead.answer_labels[0]["questions"][0]["answer"] == "Retail"  # as the reader saw it

    message = sales_mail_for(lead, mailoutbox)
    html, _mimetype = message.alternatives[0]
    assert django_settings.LANGUAGE_CODE == "de"
    for part in (message.body, html):
        assert "In welcher Branche arbeiten Sie?" in part and "Handel" in part
        assert "Which industry" not in part and "Retail" not in part
        assert "Start your CRM selection" not in part
        assert "Englisch (en)" in part
    assert message.subject.startswith("Neuer Lead")
    assert '<html lang="de">' in html


def test_scores_carry_their_unit_in_the_sales_mail(site_tree, mailoutbox):
    lead = LeadFactory(
        top_matches=[{"vendor": "Alpha CRM", "score": 87.5}, {"vendor": "Beta CRM", "score": 100.0}]
    )
    message = sales_mail_for(lead, mailoutbox)
    html, _mimetype = message.alternatives[0]
    for part in (message.body, html):
        assert "Alpha CRM (87,5\u00a0%)" in part  # German decimal comma, a non-breaking space before %
        assert "Beta CRM (100\u00a0%)" in part
