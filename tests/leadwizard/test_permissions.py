"""Who may see leads: anonymous, editor, marketer, superuser × every lead URL, export, report and download."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.models import Delivery, ExportJob, Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

ALLOWED, DENIED = "allowed", "denied"


@pytest.fixture
def users(django_user_model):
    editors = Group.objects.get(name="Editors")
    editor = django_user_model.objects.create_user("editor", "editor@example.com", "pw")
    editor.groups.add(editors)
    marketer = django_user_model.objects.create_user("marketer", "marketer@example.com", "pw")
    marketer.groups.add(Group.objects.get(name=MARKETING_GROUP_NAME))
    superuser = django_user_model.objects.create_superuser("chef", "chef@example.com", "pw")
    return {"anonymous": None, "editor": editor, "marketer": marketer, "superuser": superuser}


@pytest.fixture
def lead(site_tree):
    return LeadFactory(name="Geheim Person", email="geheim@person.example", company="Geheim GmbH")


@pytest.fixture
def export_job(users, settings, tmp_path):
    """A finished background export of the marketer's, with its file on disk."""
    settings.LEADWIZARD_EXPORT_ROOT = tmp_path
    job = ExportJob.objects.create(
        user=users["marketer"],
        format="csv",
        status=ExportJob.Status.DONE,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    job.file_name = f"leads-{job.pk}-0123456789abcdef.csv"
    job.save()
    (tmp_path / job.file_name).write_text("name\n")
    return job


def lead_urls(lead, job):
    delivery = Delivery.objects.create(lead=lead, kind=Delivery.Kind.WEBHOOK, target="https://hook.example/")
    return {
        "list": ("get", reverse("leadwizard_leads:index")),
        "inspect": ("get", reverse("leadwizard_leads:inspect", args=[lead.pk])),
        "edit": ("get", reverse("leadwizard_leads:edit", args=[lead.pk])),
        "history": ("get", reverse("leadwizard_leads:history", args=[lead.pk])),
        "delete": ("get", reverse("leadwizard_leads:delete", args=[lead.pk])),
        "export csv": ("get", reverse("leadwizard_admin:export_leads", args=["csv"])),
        "export xlsx": ("get", reverse("leadwizard_admin:export_leads", args=["xlsx"])),
        "export progress": ("get", reverse("leadwizard_admin:export_progress", args=[job.pk])),
        "export download": ("get", reverse("leadwizard_admin:export_download", args=[job.pk])),
        "conversion report": ("get", reverse("leadwizard_admin:report_conversion")),
        "funnel report": ("get", reverse("leadwizard_admin:report_funnel")),
        "erase": ("get", reverse("leadwizard_admin:erase_lead", args=[lead.pk])),
        "personal data": ("get", reverse("leadwizard_admin:privacy_access")),
        "retry delivery": ("post", reverse("leadwizard_admin:retry_delivery", args=[delivery.pk])),
    }


def outcome(response):
    if response.status_code in (200, 302) and not _is_denied_redirect(response):
        return ALLOWED
    return DENIED


def _is_denied_redirect(response):
    if response.status_code != 302:
        return False
    location = response["Location"]
    # Login page (anonymous) or the dashboard with "no permission" (Wagtail's way of refusing).
    return "/login/" in location or location.rstrip("/").endswith("/admin")


@pytest.mark.parametrize("who", ["anonymous", "editor", "marketer", "superuser"])
def test_permission_matrix(client, users, lead, export_job, who):
    user = users[who]
    if user:
        client.force_login(user)
    expected = ALLOWED if who in ("marketer", "superuser") else DENIED
    results = {}
    for name, (method, url) in lead_urls(lead, export_job).items():
        response = getattr(client, method)(url)
        results[name] = outcome(response)
        if results[name] == ALLOWED:
            assert response.status_code in (200, 302)
    assert results == dict.fromkeys(results, expected), results


def test_editor_sees_no_personal_data_anywhere(client, users, lead):
    client.force_login(users["editor"])
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Geheim" not in dashboard
    assert reverse("leadwizard_leads:index") not in dashboard  # no menu item
    search = client.get(reverse("wagtailadmin_pages:search"), {"q": "Geheim"}).content.decode()
    assert "Geheim Person" not in search and "geheim@person.example" not in search
    assert reverse("leadwizard_admin:report_conversion") not in dashboard  # no reports menu items either


def test_marketer_without_export_permission_cannot_export(client, users, lead):
    marketer = users["marketer"]
    marketer.groups.clear()
    marketer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_lead", "change_lead", "access_admin"])
    )
    client.force_login(marketer)
    assert client.get(reverse("leadwizard_leads:index")).status_code == 200
    response = client.get(reverse("leadwizard_admin:export_leads", args=["csv"]))
    assert outcome(response) == DENIED
    assert Lead.objects.count() == 1
