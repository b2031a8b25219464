"""Data protection: erasing a lead, the right of access, the retention command and the erase view."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from leadwizard.audit import LOG_ERASE, LOG_EXPORT, LOG_VIEW
from leadwizard.models import Delivery, Lead, LeadNote
from leadwizard.privacy import erase_lead, personal_data_for_email, strip_url
from tests.factories import LeadFactory, QuestionnaireFactory, VendorFactory, staff_user, wizard_article
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db


def lead_logs(lead, action=None):
    entries = ModelLogEntry.objects.filter(content_type__model="lead", object_id=str(lead.pk))
    return entries.filter(action=action) if action else entries


@pytest.fixture
def lead(site_tree):
    lead = LeadFactory(
        name="Erika Mustermann",
        company="Muster GmbH",
        email="Erika@Muster.example",
        phone="+49 30 1234567",
        message="Bitte rufen Sie mich an.",
        landing_url="https://crm.example/magazin/crm-ratgeber/?utm_source=newsletter&email=erika@muster.example#top",
        referrer="https://user:secret@www.google.com/search?q=erika+mustermann",
        utm_source="newsletter",
        utm_campaign="fruehjahr",
        source_page=site_tree.index,
        marketing_consent=True,
        marketing_consent_text="Ja, schicken Sie mir Neuigkeiten.",
        marketing_consent_version="abc",
        marketing_confirmed_at=timezone.now(),
        top_matches=[{"vendor_id": 1, "vendor": "Alpha CRM", "score": 90.0, "reasons": []}],
        match_count=3,
    )
    LeadNote.objects.create(lead=lead, author_name="Clara", text="Kundin wünscht Rückruf am Montag.")
    Delivery.objects.create(
        lead=lead,
        kind=Delivery.Kind.READER_CONFIRMATION,
        target="Erika@Muster.example",
        status=Delivery.Status.SUCCEEDED,
        attempts=1,
        succeeded_at=timezone.now(),
    )
    Delivery.objects.create(
        lead=lead,
        kind=Delivery.Kind.SALES_NOTIFICATION,
        target="vertrieb@crm-portal.example",
        status=Delivery.Status.RETRYING,
        attempts=2,
        last_error="550 mailbox of Erika@Muster.example unavailable",
        next_attempt_at=timezone.now(),
    )
    Delivery.objects.create(
        lead=lead,
        kind=Delivery.Kind.WEBHOOK,
        target="https://hooks.example/crm",
        status=Delivery.Status.PENDING,
    )
    return lead


# erase_lead ------------------------------------------------------------------------------------


def test_strip_url_keeps_scheme_host_and_path_only():
    assert strip_url("https://a.example/x/y/?q=1#f") == "https://a.example/x/y/"
    assert strip_url("https://user:pw@a.example:8443/p?x=1") == "https://a.example:8443/p"
    assert strip_url("") == ""
    assert strip_url("http://[broken") == ""


def test_erase_removes_personal_data_and_keeps_answers(lead):
    answers, labels = lead.answers, lead.answer_labels
    consent_text, consent_version = lead.consent_text, lead.consent_version
    editor = staff_user("dsb", "leadwizard.delete_lead")

    assert erase_lead(lead, user=editor) is True

    lead.refresh_from_db()
    for field in ("name", "company", "email", "phone", "message"):
        assert getattr(lead, field) == "", field
    assert [note.text for note in lead.lead_notes.all()] == [""]
    assert lead.landing_url == "https://crm.example/magazin/crm-ratgeber/"
    assert lead.referrer == "https://www.google.com/search"
    assert lead.erased_at is not None
    # Statistics and the consent record stay.
    assert lead.answers == answers and lead.answer_labels == labels
    assert labels and labels[0]["questions"][0]["answer"] == "Handel"
    assert (lead.utm_source, lead.utm_campaign) == ("newsletter", "fruehjahr")
    assert (lead.consent_text, lead.consent_version) == (consent_text, consent_version)
    assert lead.marketing_consent_text == "Ja, schicken Sie mir Neuigkeiten."
    assert lead.top_matches[0]["vendor"] == "Alpha CRM" and lead.match_count == 3
    assert "Erika" not in str(lead)

    deliveries = {d.kind: d for d in lead.deliveries.all()}
    assert deliveries[Delivery.Kind.READER_CONFIRMATION].target == ""
    assert deliveries[Delivery.Kind.SALES_NOTIFICATION].target == ""
    assert "Erika" not in deliveries[Delivery.Kind.SALES_NOTIFICATION].last_error
    assert deliveries[Delivery.Kind.WEBHOOK].target == "https://hooks.example/crm"
    # Nothing is sent for an erased lead any more.
    assert deliveries[Delivery.Kind.SALES_NOTIFICATION].status == Delivery.Status.GAVE_UP
    assert deliveries[Delivery.Kind.WEBHOOK].status == Delivery.Status.GAVE_UP
    assert deliveries[Delivery.Kind.READER_CONFIRMATION].status == Delivery.Status.SUCCEEDED


def test_log_entries_of_a_lead_name_no_person(lead):
    """Labels show up in Wagtail's site history report, which checks no lead permission."""
    log(lead, LOG_VIEW, user=staff_user("dsb", "leadwizard.view_lead"))
    label = lead_logs(lead, LOG_VIEW).get().label
    assert "Erika" not in label and "Muster" not in label
    assert str(lead.pk) in label


def test_erase_is_logged_and_scrubs_names_from_earlier_log_entries(lead):
    editor = staff_user("dsb", "leadwizard.delete_lead")
    # Entries written before labels stopped naming the person.
    log(lead, LOG_VIEW, user=editor, title="Erika Mustermann (Muster GmbH)")

    erase_lead(lead, user=editor)

    entry = lead_logs(lead, LOG_ERASE).get()
    assert entry.user_id == editor.pk
    assert not any(
        "Erika" in label or "Muster" in label for label in lead_logs(lead).values_list("label", flat=True)
    )


def test_erase_is_idempotent(lead):
    assert erase_lead(lead) is True
    lead.refresh_from_db()
    first = (lead.erased_at, lead.updated_at)

    assert erase_lead(lead) is False

    lead.refresh_from_db()
    assert (lead.erased_at, lead.updated_at) == first
    assert lead_logs(lead, LOG_ERASE).count() == 1
    assert lead.name == "" and lead.answers["industry"] == "handel"


def test_erasing_a_lead_from_the_wizard(client, site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"])
    page, block_id = wizard_article(site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber")
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    run.contact(email="erika@muster.example")
    lead = Lead.objects.get()
    answers = lead.answers

    erase_lead(lead)

    lead.refresh_from_db()
    assert lead.answers == answers and lead.answers["industry"] == "handel"
    assert (lead.name, lead.company, lead.email, lead.phone) == ("", "", "", "")
    assert lead.source_page_id == page.pk
    assert personal_data_for_email("erika@muster.example")["leads"] == []


# Right of access -------------------------------------------------------------------------------


def test_personal_data_for_email_holds_all_leads_of_the_address(lead):
    second = LeadFactory(email="erika@muster.example", name="Erika Mustermann", phone="")
    LeadFactory(email="someone@else.example")

    data = personal_data_for_email("ERIKA@muster.EXAMPLE ")

    json.dumps(data)  # serialisable as it is
    assert data["email"] == "ERIKA@muster.EXAMPLE"
    assert [item["id"] for item in data["leads"]] == [lead.pk, second.pk]
    first = data["leads"][0]
    assert first["contact"] == {
        "name": "Erika Mustermann",
        "company": "Muster GmbH",
        "email": "Erika@Muster.example",
        "phone": "+49 30 1234567",
        "message": "Bitte rufen Sie mich an.",
    }
    assert first["answers_as_shown"] == lead.answer_labels
    assert first["consent"]["version"] == lead.consent_version
    assert first["marketing_consent"]["requested"] is True and first["marketing_consent"]["valid"] is True
    assert first["source"]["utm_source"] == "newsletter"
    assert first["source"]["landing_url"].startswith("https://crm.example/magazin/crm-ratgeber/?")
    assert {(d["kind"], d["status"]) for d in first["deliveries"]} == {
        ("reader_confirmation", "succeeded"),
        ("sales_notification", "retrying"),
        ("webhook", "pending"),
    }
    assert all(d["created_at"] for d in first["deliveries"])


def test_personal_data_for_an_empty_address_never_matches_erased_leads(lead):
    erase_lead(lead)
    assert personal_data_for_email("")["leads"] == []
    assert personal_data_for_email("   ")["leads"] == []


def test_access_view_downloads_json_and_logs_the_export(client, lead):
    second = LeadFactory(email="erika@muster.example")
    other = LeadFactory(email="max@muster.example")
    officer = staff_user("dsb", "leadwizard.view_lead", "leadwizard.export_lead")
    client.force_login(officer)
    url = reverse("leadwizard_admin:privacy_access")

    assert client.get(url).status_code == 200
    response = client.post(url, {"email": "erika@MUSTER.example"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert sorted(item["id"] for item in data["leads"]) == sorted([lead.pk, second.pk])
    assert "max@muster.example" not in response.content.decode()
    for exported in (lead, second):
        entry = lead_logs(exported, LOG_EXPORT).get()
        assert entry.user_id == officer.pk
    assert not lead_logs(other, LOG_EXPORT).exists()


@pytest.mark.parametrize(
    "perms", [("leadwizard.view_lead",), ("leadwizard.export_lead",)], ids=["view-only", "export-only"]
)
def test_access_view_needs_view_and_export_permission(client, lead, perms):
    client.force_login(staff_user("redakteur", *perms))
    url = reverse("leadwizard_admin:privacy_access")

    for response in (client.get(url), client.post(url, {"email": "erika@muster.example"})):
        assert response.status_code in (302, 403)
        assert "attachment" not in response.get("Content-Disposition", "")
    assert not lead_logs(lead, LOG_EXPORT).exists()


def test_access_view_rejects_an_invalid_address(client, lead):
    client.force_login(staff_user("dsb", "leadwizard.view_lead", "leadwizard.export_lead"))
    response = client.post(reverse("leadwizard_admin:privacy_access"), {"email": "kein-mail"})
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert response.context["form"].errors["email"]


# purge_leads -----------------------------------------------------------------------------------


@pytest.fixture
def old_and_new(db, settings):
    settings.LEADWIZARD_RETENTION_DAYS = 730
    now = timezone.now()
    old = LeadFactory(name="Alt", created_at=now - datetime.timedelta(days=800))
    new = LeadFactory(name="Neu", created_at=now - datetime.timedelta(days=10))
    return old, new


def purge(*args):
    out = io.StringIO()
    call_command("purge_leads", *args, stdout=out)
    return out.getvalue()


def test_purge_anonymises_only_leads_past_retention(old_and_new):
    old, new = old_and_new
    output = purge()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.erased_at is not None and old.name == "" and old.answers
    assert new.erased_at is None and new.name == "Neu"
    assert "Anonymised 1 lead" in output
    assert lead_logs(old, LOG_ERASE).get().data == {"reason": "retention"}
    # Nothing left to do the second time.
    assert "Anonymised 0 lead" in purge()


def test_purge_days_option_overrides_the_setting(old_and_new):
    old, new = old_and_new
    purge("--days", "5")
    assert Lead.objects.filter(erased_at__isnull=False).count() == 2


def test_purge_dry_run_changes_nothing(old_and_new):
    old, new = old_and_new
    output = purge("--dry-run")
    assert "Dry run" in output and " 1 lead" in output
    assert not Lead.objects.filter(erased_at__isnull=False).exists()
    assert Lead.objects.count() == 2
    assert not ModelLogEntry.objects.exists()


def test_purge_delete_deletes_old_leads_and_logs_them(old_and_new):
    old, new = old_and_new
    Delivery.objects.create(lead=old, kind=Delivery.Kind.READER_CONFIRMATION, target="alt@muster.example")
    output = purge("--delete")
    assert list(Lead.objects.values_list("pk", flat=True)) == [new.pk]
    assert not Delivery.objects.filter(lead_id=old.pk).exists()
    assert "Deleted 1 lead" in output
    entry = ModelLogEntry.objects.get(object_id=str(old.pk), action="wagtail.delete")
    assert entry.deleted is True
    assert "Alt" not in entry.label


def test_purge_refuses_a_retention_below_one_day(old_and_new):
    with pytest.raises(CommandError):
        purge("--days", "0")


# Erase view ------------------------------------------------------------------------------------


def test_erase_view_confirms_then_erases(client, lead):
    officer = staff_user("dsb", "leadwizard.view_lead", "leadwizard.delete_lead")
    client.force_login(officer)
    url = reverse("leadwizard_admin:erase_lead", args=[lead.pk])
    inspect_url = reverse("leadwizard_leads:inspect", args=[lead.pk])

    inspect = client.get(inspect_url)
    assert url in inspect.content.decode()

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    lead.refresh_from_db()
    assert lead.erased_at is None

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == inspect_url
    lead.refresh_from_db()
    assert lead.erased_at is not None and lead.email == ""
    assert lead_logs(lead, LOG_ERASE).get().user_id == officer.pk
    page = client.get(inspect_url).content.decode()
    assert "was erased" in page
    assert url not in page


def test_erase_view_needs_delete_permission(client, lead):
    editor = staff_user("redakteur", "leadwizard.view_lead", "leadwizard.change_lead")
    client.force_login(editor)
    url = reverse("leadwizard_admin:erase_lead", args=[lead.pk])

    assert url not in client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home")
    lead.refresh_from_db()
    assert lead.erased_at is None and lead.name == "Erika Mustermann"


def test_erase_view_404_for_unknown_lead(client, db):
    client.force_login(staff_user("dsb", "leadwizard.delete_lead"))
    assert client.get(reverse("leadwizard_admin:erase_lead", args=[999999])).status_code == 404
