"""The leads admin: listing filters and search, bulk actions, the lead page, dashboard figures, audit log."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from leadwizard.audit import LOG_ASSIGN, LOG_STATUS, LOG_VIEW
from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(client, django_user_model, site_tree):
    user = django_user_model.objects.create_user("maria", "maria@example.com", "pw")
    user.groups.add(Group.objects.get(name=MARKETING_GROUP_NAME))
    client.force_login(user)
    return user


def bulk_url(action, leads):
    url = reverse("wagtail_bulk_action", args=("leadwizard", "lead", action))
    return url + "?" + "&".join(f"id={lead.pk}" for lead in leads)


def test_listing_filters_and_searches(client, marketer):
    LeadFactory(name="Anna Handwerk", industry="handwerk", status=Lead.Status.NEW)
    LeadFactory(name="Bernd Handel", industry="handel", status=Lead.Status.WON, company="Laden KG")
    url = reverse("leadwizard_leads:index")
    html = client.get(url, {"industry": "handwerk"}).content.decode()
    assert "Anna Handwerk" in html and "Bernd Handel" not in html
    html = client.get(url, {"status": "won"}).content.decode()
    assert "Bernd Handel" in html and "Anna Handwerk" not in html
    html = client.get(url, {"q": "laden"}).content.decode()
    assert "Bernd Handel" in html and "Anna Handwerk" not in html


def test_bulk_status_and_assignee(client, marketer):
    leads = [LeadFactory(), LeadFactory()]
    url = bulk_url("set_status", leads)
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "shortlist_sent"}).status_code == 302
    assert set(Lead.objects.values_list("status", flat=True)) == {"shortlist_sent"}

    url = bulk_url("assign", leads)
    assert client.post(url, {"assignee": marketer.pk}).status_code == 302
    assert set(Lead.objects.values_list("assignee", flat=True)) == {marketer.pk}
    actions = list(ModelLogEntry.objects.filter(object_id=str(leads[0].pk)).values_list("action", flat=True))
    assert LOG_STATUS in actions and LOG_ASSIGN in actions


def test_editor_cannot_use_bulk_actions(client, django_user_model, site_tree):
    editor = django_user_model.objects.create_user("emil", "emil@example.com", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    lead = LeadFactory(status=Lead.Status.NEW)
    client.post(bulk_url("set_status", [lead]), {"status": "won"})
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_lead_page_is_readable_and_its_viewing_is_logged(client, marketer):
    matches = [
        {
            "vendor_id": n,
            "vendor": f"Anbieter {n}",
            "score": 100 - n,
            "reasons": [{"criterion": "uses", "met": True, "keys": ["sales"], "points": 30}],
        }
        for n in range(1, 17)
    ]
    matches[0].update(vendor="Alpha CRM", score=87.5)
    lead = LeadFactory(matches=matches, top_matches=matches[:7], match_count=16)
    html = client.get(reverse("leadwizard_leads:inspect", args=[lead.pk])).content.decode()
    assert "Alpha CRM" in html and "87.5" in html.replace(",", ".")
    # All sixteen vendors the reader saw, not only the first seven.
    assert "Anbieter 16" in html
    assert "Vertrieb" in html  # the option label, not the key "sales"
    assert ModelLogEntry.objects.filter(object_id=str(lead.pk), action=LOG_VIEW, user=marketer).exists()


def test_dashboard_figures_link_to_the_filtered_list(client, marketer):
    LeadFactory(assignee=None)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("leadwizard_leads:index") + "?assignee=null" in html
    assert "created_at_from=" in html
