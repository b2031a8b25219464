"""The consultant's hand-over: the queue, composing, previewing and sending a shortlist, and its record."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from leadwizard.audit import LOG_SHORTLIST
from leadwizard.deliveries.channels import channel_for
from leadwizard.deliveries.errors import DeliveryError
from leadwizard.deliveries.results import RESULTS_SALT, results_url
from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.leads import create_lead, mark_likely_duplicate
from leadwizard.matching import answers_by_role, match_vendors, option_orders
from leadwizard.models import Delivery, Lead, Shortlist
from tests.factories import QuestionnaireFactory, VendorFactory, translate_snippet

pytestmark = pytest.mark.django_db

ANSWERS = {"industry": "handel", "employees": 25, "uses": ["sales"], "german_hq": "yes", "market": "b2b"}
CONTACT = {
    "name": "Erika Mustermann",
    "company": "Muster GmbH",
    "email": "erika@muster.example",
    "phone": "",
    "message": "",
}


@pytest.fixture
def catalogue(site_tree):
    """A questionnaire whose catalogue has nine matching vendors, one that does not match, and another's vendor."""
    questionnaire = QuestionnaireFactory()
    matching = [
        VendorFactory(
            questionnaire=questionnaire,
            name=f"Anbieter {number:02d}",
            industries=["handel"] if number <= 3 else [],
            website=f"https://anbieter{number}.example/",
        )
        for number in range(1, 10)
    ]
    outside = VendorFactory(questionnaire=questionnaire, name="Nischen-CRM", industries=["it"])
    foreign = VendorFactory(name="Fremd-CRM")  # another questionnaire's catalogue
    return questionnaire, matching, outside, foreign


def new_lead(questionnaire, vendors, locale="de", **contact):
    definition = questionnaire.definition
    matches = match_vendors(
        answers_by_role(definition, ANSWERS),
        [vendor.to_profile() for vendor in vendors],
        option_orders=option_orders(definition),
    )
    lead, _created = create_lead(
        questionnaire=questionnaire,
        answers=ANSWERS,
        contact={**CONTACT, **contact},
        matches=matches,
        locale=locale,
        source_url="https://crm.example/magazin/ratgeber/",
    )
    mail.outbox.clear()
    return lead


@pytest.fixture
def consultant(client, django_user_model, site_tree):
    user = django_user_model.objects.create_user(
        "clara", "clara.berater@crm.example", "pw", first_name="Clara", last_name="Berater"
    )
    user.groups.add(Group.objects.get(name=MARKETING_GROUP_NAME))
    client.force_login(user)
    return user


def shortlist_url(lead):
    return reverse("leadwizard_consult:shortlist", args=[lead.pk])


def form_data(client, lead):
    """The shortlist form as the consultant's browser would post it unchanged."""
    html = client.get(shortlist_url(lead)).content.decode()
    data = {"request_key": re.search(r'name="request_key" value="([^"]+)"', html).group(1), "message": ""}
    for name, value in re.findall(r'name="(position_\d+)"[^>]*value="(\d+)"', html):
        data[name] = value
    for name in re.findall(r'name="(pick_\d+)"[^>]*checked', html):
        data[name] = "on"
    return data


def vendor_ids(lead):
    return [match["vendor_id"] for match in lead.matches]


def send(client, lead, data, captured):
    with captured(execute=True):
        return client.post(shortlist_url(lead), {**data, "action": "send"})


def test_the_form_offers_every_match_and_preselects_the_best_seven(client, consultant, catalogue):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    assert lead.match_count == 9
    html = client.get(shortlist_url(lead)).content.decode()
    for vendor in matching:
        assert vendor.name in html
    data = form_data(client, lead)
    picked = [int(name.removeprefix("pick_")) for name in data if name.startswith("pick_")]
    assert picked == vendor_ids(lead)[:7]


def test_sending_mails_the_reader_and_records_the_shortlist(
    client, consultant, catalogue, django_capture_on_commit_callbacks
):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    data = form_data(client, lead)
    ids = vendor_ids(lead)
    # The consultant moves the fifth vendor to the top.
    data[f"position_{ids[4]}"] = "0"
    data[f"position_{ids[4]}"] = "1"
    data[f"position_{ids[0]}"] = "5"
    data["message"] = "Guten Tag Frau Mustermann,\n\nhier ist meine Auswahl."
    response = send(client, lead, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302

    (message,) = mail.outbox
    assert message.to == ["erika@muster.example"]
    assert message.reply_to == ["clara.berater@crm.example"]
    assert "Clara Berater" in message.from_email
    assert "Ihre Shortlist" in message.subject
    order = [ids[4], ids[1], ids[2], ids[3], ids[0], ids[5], ids[6]]
    names = {vendor.pk: vendor.name for vendor in matching}
    html = message.alternatives[0][0]
    for part in (message.body, html):
        positions = [part.index(names[pk]) for pk in order]
        assert positions == sorted(positions)
        assert "hier ist meine Auswahl." in part
        assert "Branche (Handel)" in part  # the reason, in the reader's words
    assert "Anbieter 08" not in message.body

    shortlist = Shortlist.objects.get()
    assert shortlist.sent_at is not None and shortlist.consultant == consultant
    assert [vendor["vendor_id"] for vendor in shortlist.vendors] == order
    assert shortlist.language == "de" and "meine Auswahl" in shortlist.message
    lead.refresh_from_db()
    assert lead.status == Lead.Status.SHORTLIST_SENT
    entry = ModelLogEntry.objects.get(object_id=str(lead.pk), action=LOG_SHORTLIST)
    assert entry.data["vendors"] == [names[pk] for pk in order]
    assert names[ids[4]] in entry.message


def test_an_english_reader_gets_the_mail_in_english(
    client, consultant, catalogue, django_capture_on_commit_callbacks, site_tree
):
    questionnaire, matching, _outside, _foreign = catalogue
    translate_snippet(matching[0], site_tree.en, short_description="A CRM for small shops.")
    lead = new_lead(questionnaire, matching, locale="en")
    send(client, lead, form_data(client, lead), django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "Your shortlist" in message.subject
    assert "A CRM for small shops." in message.body
    assert "Hello Erika Mustermann" in message.body


def test_the_preview_is_the_mail_and_sends_nothing(client, consultant, catalogue):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    data = {**form_data(client, lead), "message": "Meine <Empfehlung> für Sie", "action": "preview"}
    html = client.post(shortlist_url(lead), data).content.decode()
    assert "Ihre Shortlist: 7 CRM-Systeme" in html
    assert "Meine &lt;Empfehlung&gt; für Sie" in html  # the text part, escaped
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in html  # the whole mail, escaped into the attribute
    assert mail.outbox == [] and not Shortlist.objects.exists()


@pytest.mark.parametrize("double", ["sequential", "replayed"])
def test_a_double_click_sends_one_shortlist(
    client, consultant, catalogue, django_capture_on_commit_callbacks, double
):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    data = form_data(client, lead)
    first = send(client, lead, data, django_capture_on_commit_callbacks)
    second = send(client, lead, data, django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    assert Shortlist.objects.count() == 1 and len(mail.outbox) == 1
    assert Delivery.objects.filter(kind=Delivery.Kind.SHORTLIST).count() == 1


def refused(client, lead, data, captured, text):
    response = send(client, lead, data, captured)
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not Shortlist.objects.exists() and mail.outbox == []
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_more_than_seven_vendors_are_refused(
    client, consultant, catalogue, django_capture_on_commit_callbacks
):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    data = form_data(client, lead)
    data.update({f"pick_{vendor_id}": "on" for vendor_id in vendor_ids(lead)})
    refused(client, lead, data, django_capture_on_commit_callbacks, "höchstens 7 Anbieter")


def test_no_vendor_is_refused(client, consultant, catalogue, django_capture_on_commit_callbacks):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    data = {key: value for key, value in form_data(client, lead).items() if not key.startswith("pick_")}
    refused(client, lead, data, django_capture_on_commit_callbacks, "mindestens einen Anbieter")


@pytest.mark.parametrize("field", ["outside", "pick"])
def test_a_vendor_of_another_questionnaire_or_a_made_up_id_is_refused(
    client, consultant, catalogue, django_capture_on_commit_callbacks, field
):
    questionnaire, matching, _outside, foreign = catalogue
    lead = new_lead(questionnaire, matching)
    for vendor_id in (foreign.pk, 987654, "x"):
        data = form_data(client, lead)
        if field == "outside":
            data.update({"outside": vendor_id, f"pick_{vendor_id}": "on", f"reason_{vendor_id}": "Passt."})
        else:
            data[f"pick_{vendor_id}"] = "on"
        refused(client, lead, data, django_capture_on_commit_callbacks, "nicht im Katalog")


def test_a_vendor_outside_the_matches_needs_a_reason(
    client, consultant, catalogue, django_capture_on_commit_callbacks
):
    questionnaire, matching, outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    html = client.post(shortlist_url(lead), {**form_data(client, lead), "q": "Nischen", "action": "search"})
    html = html.content.decode()
    assert "Nischen-CRM" in html and "Fremd-CRM" not in html
    data = form_data(client, lead)
    data.pop(f"pick_{vendor_ids(lead)[6]}")
    data.update({"outside": outside.pk, f"pick_{outside.pk}": "on", f"position_{outside.pk}": "2"})
    data.update(
        {f"position_{vendor_id}": str(place) for place, vendor_id in enumerate(vendor_ids(lead)[1:6], 3)}
    )
    refused(client, lead, data, django_capture_on_commit_callbacks, "Nischen-CRM")

    data[f"reason_{outside.pk}"] = "Sie arbeiten mit vielen IT-Partnern."
    assert send(client, lead, data, django_capture_on_commit_callbacks).status_code == 302
    shortlist = Shortlist.objects.get()
    assert shortlist.vendors[1]["name"] == "Nischen-CRM"
    assert shortlist.vendors[1]["outside_reason"] == "Sie arbeiten mit vielen IT-Partnern."
    assert "Sie arbeiten mit vielen IT-Partnern." in mail.outbox[0].body


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_users_without_lead_rights_can_neither_see_nor_send(
    client, django_user_model, catalogue, django_capture_on_commit_callbacks, role
):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    user = django_user_model.objects.create_user(role, f"{role}@crm.example", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    if role == "viewer":  # may look at leads, but not work them
        user.user_permissions.add(Permission.objects.get(codename="view_lead"))
    client.force_login(user)
    # Wagtail's admin answers a refused view with a redirect to the dashboard and a message.
    assert client.get(reverse("leadwizard_consult:queue")).status_code in (302, 403)
    response = client.get(shortlist_url(lead), follow=True)
    assert lead.name not in response.content.decode() and "Anbieter 01" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            shortlist_url(lead),
            {"request_key": uuid.uuid4(), f"pick_{vendor_ids(lead)[0]}": "on", "action": "send"},
        )
    assert response.status_code in (302, 403)
    assert not Shortlist.objects.exists() and mail.outbox == []


def test_the_status_follows_only_an_accepted_mail(
    client, consultant, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    channel = type(channel_for(Delivery.Kind.SHORTLIST))
    original = channel.send

    def refuse(self, delivery, lead):
        raise DeliveryError("SMTP 451 try again later")

    monkeypatch.setattr(channel, "send", refuse)
    response = send(client, lead, form_data(client, lead), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    shortlist = Shortlist.objects.get()
    assert shortlist.sent_at is None
    assert shortlist.delivery.status == Delivery.Status.RETRYING
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW
    assert not ModelLogEntry.objects.filter(object_id=str(lead.pk), action=LOG_SHORTLIST).exists()

    monkeypatch.setattr(channel, "send", original)
    from django.core.management import call_command

    call_command("retry_deliveries", verbosity=0)
    shortlist.refresh_from_db()
    lead.refresh_from_db()
    assert shortlist.sent_at is not None and lead.status == Lead.Status.SHORTLIST_SENT
    assert len([message for message in mail.outbox if "Shortlist" in message.subject]) == 1


def test_the_queue_lists_waiting_leads_oldest_first(client, consultant, catalogue, django_user_model):
    questionnaire, matching, _outside, _foreign = catalogue
    old, mine, done = (new_lead(questionnaire, matching, name=name) for name in ("Alt", "Meins", "Fertig"))
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    Lead.objects.filter(pk=mine.pk).update(assignee=consultant)
    Shortlist.objects.create(
        lead=done, consultant_name="Clara", language="de", sent_at=timezone.now(), vendors=[]
    )
    url = reverse("leadwizard_consult:queue")
    html = client.get(url).content.decode()
    assert html.index("Alt (Muster GmbH)") < html.index("Meins (Muster GmbH)")
    assert "Fertig" not in html
    assert "3\xa0Tage" in html or "3 Tage" in html
    html = client.get(url, {"view": "mine"}).content.decode()
    assert "Meins" in html and "Alt (" not in html
    html = client.get(url, {"view": "unassigned"}).content.decode()
    assert "Alt (" in html and "Meins" not in html

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "2 Leads warten auf eine Shortlist" in dashboard
    assert url in dashboard


def test_the_results_link_shows_the_longlist_then_the_shortlist(
    client, consultant, catalogue, django_capture_on_commit_callbacks
):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    reader = client.__class__()
    url = results_url(lead)
    assert url.startswith("https://crm.example/ergebnisse/") or "/results/" in url
    html = reader.get(url).content.decode()
    assert "Anbieter 09" in html and "Branche" in html
    assert "Ihre Shortlist" not in html

    data = {**form_data(client, lead), "message": "Viel Erfolg bei der Auswahl!"}
    send(client, lead, data, django_capture_on_commit_callbacks)
    # The same lead's results link; signed anew when the mail is made, so the signing second may differ.
    base, token = url.rstrip("/").rsplit("/", 1)
    payload = token.split(":")[0]
    assert re.search(rf"{re.escape(base)}/{re.escape(payload)}:[^/\s]+/", mail.outbox[0].body)
    html = reader.get(url).content.decode()
    assert "Ihre Shortlist" in html and "Viel Erfolg bei der Auswahl!" in html

    forged = signing.dumps(uuid.uuid4().hex, salt=RESULTS_SALT)
    assert reader.get(url.replace(url.split("/")[-2], forged)).status_code == 404
    assert reader.get(url[:-5] + "xxxx/").status_code == 404


def test_erasing_the_lead_blanks_the_message_and_cancels_an_unsent_shortlist(
    client, consultant, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    from leadwizard.privacy import erase_lead

    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    monkeypatch.setattr(
        type(channel_for(Delivery.Kind.SHORTLIST)),
        "send",
        lambda self, delivery, lead: (_ for _ in ()).throw(DeliveryError("down")),
    )
    send(
        client,
        lead,
        {**form_data(client, lead), "message": "Liebe Frau Mustermann"},
        django_capture_on_commit_callbacks,
    )
    erase_lead(lead)
    shortlist = Shortlist.objects.get()
    assert shortlist.message == "" and shortlist.vendor_names
    assert shortlist.delivery.status == Delivery.Status.GAVE_UP and shortlist.delivery.target == ""
    # An erased lead gets nothing: the form refuses.
    response = send(client, lead, form_data(client, lead), django_capture_on_commit_callbacks)
    assert response.status_code == 400 and Shortlist.objects.count() == 1


def test_a_reader_without_matches_is_promised_no_list(catalogue):
    from django.core.management import call_command

    questionnaire, _matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, [])
    assert lead.match_count == 0
    call_command("retry_deliveries", verbosity=0)
    (confirmation,) = [message for message in mail.outbox if message.to == [lead.email]]
    assert "Wir melden uns mit Vorschlägen." in confirmation.body
    assert "Sie erhalten" not in confirmation.body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a plan of PostgreSQL's planner")
def test_the_duplicate_check_of_every_submit_reads_the_address_index_not_the_window(catalogue):
    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    # A busy window: 1,500 requests of other addresses in the last hours.
    Lead.objects.bulk_create(
        Lead(
            questionnaire=questionnaire,
            answers=lead.answers,
            email=f"leser{number}@firma{number}.example",
            submission_key=uuid.uuid4(),
            locale="de",
            consent_given_at=lead.consent_given_at,
        )
        for number in range(1500)
    )
    with CaptureQueriesContext(connection) as queries:
        assert mark_likely_duplicate(lead) is None
    (check,) = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leadwizard_lead")
        cursor.execute("EXPLAIN " + check)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "leadwizard_lead_email_created" in plan, plan


def test_a_second_request_from_the_same_address_is_kept_and_marked_on_both(
    client, consultant, catalogue, settings
):
    questionnaire, matching, _outside, _foreign = catalogue
    first = new_lead(questionnaire, matching)
    second = new_lead(questionnaire, matching, email="ERIKA@muster.example")
    third = new_lead(questionnaire, matching)
    other = new_lead(questionnaire, matching, email="jemand@anders.example")
    assert Lead.objects.count() == 4
    assert (second.duplicate_of, third.duplicate_of, other.duplicate_of) == (first, first, None)
    assert set(first.likely_duplicates.all()) == {second, third}

    html = client.get(reverse("leadwizard_leads:inspect", args=[first.pk])).content.decode()
    assert "Spätere Anfragen derselben E-Mail-Adresse" in html
    assert reverse("leadwizard_leads:inspect", args=[second.pk]) in html
    html = client.get(reverse("leadwizard_leads:inspect", args=[second.pk])).content.decode()
    assert reverse("leadwizard_leads:inspect", args=[first.pk]) in html
    queue = client.get(reverse("leadwizard_consult:queue")).content.decode()
    assert queue.count("Wahrscheinliches Duplikat") == 3

    # Outside the window, or with the marking off, a request stands alone.
    Lead.objects.update(created_at=timezone.now() - timedelta(hours=73))
    assert new_lead(questionnaire, matching).duplicate_of is None
    settings.LEADWIZARD_DUPLICATE_WINDOW_HOURS = 0
    assert new_lead(questionnaire, matching).duplicate_of is None


# Hand-over to vendors -------------------------------------------------------------------------

VENDOR_CONSENT = "<p>Die für mich ausgewählten Anbieter dürfen mich kontaktieren.</p>"


def sent_shortlist_with_consent(client, lead, captured, consent=True):
    if consent:
        Lead.objects.filter(pk=lead.pk).update(
            vendor_consent=True,
            vendor_consent_text=VENDOR_CONSENT,
            vendor_consent_version="v1",
            vendor_consent_given_at=timezone.now(),
        )
        lead.refresh_from_db()
    send(client, lead, form_data(client, lead), captured)
    mail.outbox.clear()
    return Shortlist.objects.get(lead=lead)


def hand_over(client, lead, shortlist, vendor_ids, captured):
    url = reverse("leadwizard_consult:hand_over", args=[lead.pk])
    with captured(execute=True):
        return client.post(url, {"shortlist": shortlist.pk, "vendor": vendor_ids}, follow=True)


def test_a_lead_goes_to_the_chosen_vendors_only_with_the_readers_consent(
    client, consultant, catalogue, django_capture_on_commit_callbacks
):
    from leadwizard.models import VendorHandover

    questionnaire, matching, _outside, foreign = catalogue
    for vendor in matching:
        vendor.handover_email = f"leads@{vendor.name.lower().replace(' ', '')}.example"
        vendor.save()
    matching[1].handover_email = ""
    matching[1].save()
    lead = new_lead(questionnaire, matching, phone="+49 30 1234567")
    shortlist = sent_shortlist_with_consent(client, lead, django_capture_on_commit_callbacks)
    ids = [vendor["vendor_id"] for vendor in shortlist.vendors]
    inspect = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    assert "Lead an die gewählten Anbieter übergeben" in inspect

    html = hand_over(client, lead, shortlist, [ids[0], ids[2]], django_capture_on_commit_callbacks)
    assert html.status_code == 200
    assert [item.vendor_id for item in VendorHandover.objects.order_by("pk")] == [ids[0], ids[2]]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"leads@{name.lower().replace(' ', '')}.example"
        for name in (shortlist.vendors[0]["name"], shortlist.vendors[2]["name"])
    )
    message = mail.outbox[0]
    assert message.reply_to == ["erika@muster.example"]
    assert "+49 30 1234567" in message.body and "Muster GmbH" in message.body
    assert "dürfen mich kontaktieren" in message.body

    # Again: nothing twice. Not on the shortlist, no address, made up: refused, nothing sent.
    mail.outbox.clear()
    hand_over(client, lead, shortlist, [ids[0]], django_capture_on_commit_callbacks)
    for refused_ids in ([foreign.pk], [ids[1]], ["x"]):
        hand_over(client, lead, shortlist, refused_ids, django_capture_on_commit_callbacks)
    assert VendorHandover.objects.count() == 2 and mail.outbox == []
    timeline = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    assert f"Lead übergeben an {shortlist.vendors[0]['name']}" in timeline


def test_without_the_vendor_consent_the_hand_over_does_not_exist(
    client, consultant, catalogue, django_capture_on_commit_callbacks
):
    from leadwizard.models import VendorHandover

    questionnaire, matching, _outside, _foreign = catalogue
    for vendor in matching:
        vendor.handover_email = "leads@vendor.example"
        vendor.save()
    lead = new_lead(questionnaire, matching)
    shortlist = sent_shortlist_with_consent(client, lead, django_capture_on_commit_callbacks, consent=False)
    inspect = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    assert "Lead an die gewählten Anbieter übergeben" not in inspect
    response = hand_over(
        client, lead, shortlist, [shortlist.vendors[0]["vendor_id"]], django_capture_on_commit_callbacks
    )
    assert "nicht zugestimmt" in response.content.decode()
    assert not VendorHandover.objects.exists() and mail.outbox == []


def test_the_queue_costs_the_same_queries_for_few_leads_or_many(client, consultant, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    questionnaire, matching, _outside, _foreign = catalogue
    url = reverse("leadwizard_consult:queue")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    new_lead(questionnaire, matching)
    few = queries()
    for number in range(12):
        lead = new_lead(questionnaire, matching, email=f"leser{number}@example.org")
        Lead.objects.filter(pk=lead.pk).update(assignee=consultant if number % 2 else None)
    assert queries() == few


def test_an_expired_results_link_says_so_and_an_erased_lead_has_none(client, catalogue, settings):
    from leadwizard.privacy import erase_lead

    questionnaire, matching, _outside, _foreign = catalogue
    lead = new_lead(questionnaire, matching)
    path = results_url(lead).removeprefix("https://crm.example")
    settings.LEADWIZARD_RESULTS_MAX_AGE = -1
    response = client.get(path)
    assert response.status_code == 410 and "abgelaufen" in response.content.decode()
    settings.LEADWIZARD_RESULTS_MAX_AGE = 3600
    assert client.get(path).status_code == 200
    erase_lead(lead)
    response = client.get(path)
    assert response.status_code == 404 and "Anbieter 01" not in response.content.decode()
