"""Who works a lead (the edit form, bulk, round-robin, the assignee's mail) and the lead's timeline."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from leadwizard.assignment import round_robin_consultant
from leadwizard.audit import LOG_ASSIGN, LOG_STATUS
from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.leads import create_lead
from leadwizard.models import Delivery, Lead, LeadNote
from leadwizard.privacy import erase_lead
from leadwizard.timeline import lead_timeline
from tests.factories import LeadFactory, QuestionnaireFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model, site_tree):
    def user(name, group=MARKETING_GROUP_NAME):
        account = django_user_model.objects.create_user(
            name, f"{name}@crm.example", "pw", first_name=name.capitalize(), last_name="Beispiel"
        )
        account.groups.add(Group.objects.get(name=group))
        return account

    return {
        "clara": user("clara"),
        "david": user("david"),
        "emil": user("emil", group="Editors"),  # may not see leads
    }


def edit_url(lead):
    return reverse("leadwizard_leads:edit", args=[lead.pk])


def test_the_edit_form_offers_only_people_who_may_work_leads(client, staff):
    lead = LeadFactory()
    client.force_login(staff["clara"])
    html = client.get(edit_url(lead)).content.decode()
    options = re.findall(
        r'<option value="(\d+)"', html.split('name="assignee"', 1)[1].split("</select>", 1)[0]
    )
    assert {int(pk) for pk in options} == {staff["clara"].pk, staff["david"].pk}

    response = client.post(edit_url(lead), {"status": "new", "assignee": staff["emil"].pk})
    assert response.status_code == 200  # the form again, with an error
    lead.refresh_from_db()
    assert lead.assignee is None


def test_assigning_tells_the_assignee_and_is_recorded(client, staff, django_capture_on_commit_callbacks):
    lead = LeadFactory(company="Muster GmbH")
    client.force_login(staff["clara"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(lead), {"status": "in_progress", "assignee": staff["david"].pk})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.assignee) == (Lead.Status.IN_PROGRESS, staff["david"])
    (message,) = mail.outbox
    assert message.to == ["david@crm.example"]
    assert "Muster GmbH" in message.subject
    assert f"http://testserver/admin/leadwizard/leads/inspect/{lead.pk}/" in message.body
    actions = ModelLogEntry.objects.filter(object_id=str(lead.pk)).values_list("action", "user")
    assert (LOG_ASSIGN, staff["clara"].pk) in actions and (LOG_STATUS, staff["clara"].pk) in actions

    # Saving again unchanged sends nothing and records nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(lead), {"status": "in_progress", "assignee": staff["david"].pk})
    assert len(mail.outbox) == 1
    assert ModelLogEntry.objects.filter(object_id=str(lead.pk), action=LOG_ASSIGN).count() == 1


def test_bulk_assignment_tells_the_assignee_once_per_lead(client, staff, django_capture_on_commit_callbacks):
    leads = [LeadFactory(), LeadFactory()]
    client.force_login(staff["clara"])
    url = reverse("wagtail_bulk_action", args=("leadwizard", "lead", "assign"))
    url += "?" + "&".join(f"id={lead.pk}" for lead in leads)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"assignee": staff["david"].pk}).status_code == 302
    assert [message.to for message in mail.outbox] == [["david@crm.example"]] * 2
    assert Delivery.objects.filter(kind=Delivery.Kind.ASSIGNMENT, status="succeeded").count() == 2


def new_lead(questionnaire, spam=False):
    lead, _created = create_lead(
        questionnaire=questionnaire,
        answers={"industry": "handel"},
        contact={"name": "Erika", "company": "Muster GmbH", "email": "erika@muster.example"},
        matches=[],
        spam_reasons=["honeypot"] if spam else [],
    )
    return lead


def test_round_robin_hands_new_leads_out_in_turn(settings, staff):
    settings.LEADWIZARD_ROUND_ROBIN = ["emil", "clara", "david"]  # emil may not work leads: skipped
    questionnaire = QuestionnaireFactory()
    assignees = [new_lead(questionnaire).assignee for _ in range(4)]
    assert assignees == [staff["clara"], staff["david"], staff["clara"], staff["david"]]
    assert new_lead(questionnaire, spam=True).assignee is None
    assert Delivery.objects.filter(kind=Delivery.Kind.ASSIGNMENT).count() == 4


def test_without_round_robin_new_leads_stay_unassigned(staff):
    assert round_robin_consultant() is None
    assert new_lead(QuestionnaireFactory()).assignee is None


def test_the_timeline_holds_notes_changes_shortlists_deliveries_and_erasure(client, staff):
    lead = LeadFactory()
    client.force_login(staff["clara"])
    note_url = reverse("leadwizard_consult:add_note", args=[lead.pk])
    assert client.post(note_url, {"text": "Rückruf am Montag vereinbart."}).status_code == 302
    assert client.post(note_url, {"text": "   "}).status_code == 302  # empty: refused, nothing added
    client.post(edit_url(lead), {"status": "in_progress", "assignee": staff["david"].pk})
    Delivery.objects.create(lead=lead, kind=Delivery.Kind.READER_CONFIRMATION, target="x@example.org")

    html = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    timeline = html.split('id="lead-timeline"', 1)[1].split("</section>", 1)[0]
    assert "Rückruf am Montag vereinbart." in timeline and "Clara Beispiel" in timeline
    assert "Status: In Bearbeitung" in timeline
    assert "Zugewiesen an David Beispiel" in timeline
    assert "Bestätigungs-E-Mail an den Leser: Ausstehend" in timeline
    assert LeadNote.objects.filter(lead=lead).count() == 1

    erase_lead(lead, user=staff["clara"])
    kinds = [event.kind for event in lead_timeline(lead)]
    assert kinds[0] == "erase" and "note" in kinds and kinds[-1] == "created"


def test_the_timeline_costs_the_same_queries_for_one_event_or_many(staff):
    lead = LeadFactory()
    LeadNote.objects.create(lead=lead, author=staff["clara"], text="eins")

    def count():
        fresh = Lead.objects.get(pk=lead.pk)
        with CaptureQueriesContext(connection) as queries:
            lead_timeline(fresh)
        return len(queries)

    few = count()
    for number in range(10):
        LeadNote.objects.create(lead=lead, author=staff["david"], text=f"Notiz {number}")
        Delivery.objects.create(lead=lead, kind=Delivery.Kind.WEBHOOK, target="https://hook.example/")
    assert count() == few <= 6
