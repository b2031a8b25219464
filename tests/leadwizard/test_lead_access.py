"""No personal data of a lead reaches anyone without ``leadwizard.view_lead``.

The URLs are not listed by hand: every URL Wagtail registers in the leads
viewset's namespace, every bulk action registered for leads and every admin URL
of this app is found in the URL resolver, so a view that a Wagtail upgrade
adds is walked too. Wagtail's own screens that list objects of any model
(snippet chooser, translation API, site history, page usage, search) are
walked as well.
"""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.log_actions import log
from wagtail.models import Page, ReferenceIndex

from leadwizard.admin_urls import ADMIN_NAMESPACE, CONSULT_NAMESPACE, LEAD_ADMIN_NAMESPACE
from leadwizard.audit import LOG_VIEW
from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.models import Delivery, ExportJob, Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

PERSONAL = {
    "name": "Zacharias Geheimrat",
    "company": "Verschwiegen Handels GmbH",
    "email": "z.geheimrat@verschwiegen.example",
    "phone": "+49 30 98765432",
}
ROLES_WITHOUT_VIEW = ["anonymous", "admin_only", "editor", "moderator", "change_delete_export"]
ROLES_WITH_VIEW = ["view_only", "marketer", "superuser"]


@pytest.fixture
def users(django_user_model, site_tree):
    def user(name, groups=(), perms=(), **extra):
        account = django_user_model.objects.create_user(name, f"{name}@staff.example", "pw", **extra)
        account.groups.add(*Group.objects.filter(name__in=groups))
        account.user_permissions.add(
            *[
                Permission.objects.get(
                    content_type__app_label=perm.split(".")[0], codename=perm.split(".")[1]
                )
                for perm in perms
            ]
        )
        return account

    return {
        "anonymous": None,
        "admin_only": user("admin_only", perms=["wagtailadmin.access_admin"]),
        "editor": user("editor", groups=["Editors"]),
        "moderator": user("moderator", groups=["Moderators"]),
        # Every lead permission but the one that shows personal data.
        "change_delete_export": user(
            "change_delete_export",
            perms=[
                "wagtailadmin.access_admin",
                "leadwizard.change_lead",
                "leadwizard.delete_lead",
                "leadwizard.export_lead",
            ],
        ),
        "view_only": user("view_only", perms=["wagtailadmin.access_admin", "leadwizard.view_lead"]),
        "marketer": user("marketer", groups=[MARKETING_GROUP_NAME]),
        "superuser": user("chef", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def lead(site_tree, users):
    source = site_tree.index
    lead = LeadFactory(**PERSONAL, source_page=source, source_url="http://testserver/magazin/")
    # Something for the history and site history screens.
    log(lead, LOG_VIEW, user=users["superuser"])
    return lead


def _patterns(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(
                entry, prefix + str(entry.pattern), ":".join(filter(None, [namespace, entry.namespace]))
            )
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def _any_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).first()


def lead_urls(lead):
    """Every URL registered for leads, with the lead's (or a related object's) id filled in."""
    delivery = Delivery.objects.create(lead=lead, kind=Delivery.Kind.WEBHOOK, target="https://hook.example/")
    job = ExportJob.objects.create(user=lead.assignee or _any_user(), format="csv")
    values = {"pk": lead.pk, "job_id": job.pk, "format": "csv"}
    urls = {}
    for namespace, pattern in _patterns(get_resolver()):
        name = pattern.name or ""
        ours = namespace in (LEAD_ADMIN_NAMESPACE, ADMIN_NAMESPACE, CONSULT_NAMESPACE)
        if not ours:
            continue
        full_name = f"{namespace}:{name}" if namespace else name
        params = list(pattern.pattern.regex.groupindex)
        kwargs = {param: values[param] for param in params}
        if name == "retry_delivery":
            kwargs["pk"] = delivery.pk
        urls[full_name] = reverse(full_name, kwargs=kwargs)

    for action in bulk_action_registry.get_bulk_actions_for_model("leadwizard", "lead"):
        url = reverse("wagtail_bulk_action", args=["leadwizard", "lead", action.action_type])
        urls[f"bulk {action.action_type}"] = f"{url}?id={lead.pk}"
        urls[f"bulk {action.action_type} (all)"] = f"{url}?id=all"
    # Wagtail's snippet bulk delete lists what it would delete, permitted or not.
    urls["snippet bulk delete"] = reverse("wagtail_bulk_action", args=["leadwizard", "lead", "delete"])
    urls["snippet bulk delete"] += f"?id={lead.pk}"
    return urls


def generic_urls(lead):
    """Wagtail screens that list objects of every kind; a lead must not show up in any of them."""
    return {
        "dashboard": reverse("wagtailadmin_home"),
        "snippets index": "/admin/snippets/",
        "snippet chooser": "/admin/snippets/choose/leadwizard/lead/",
        "snippet chooser results": "/admin/snippets/choose/leadwizard/lead/results/?p=1",
        "snippet chosen": f"/admin/snippets/choose/leadwizard/lead/chosen/{lead.pk}/",
        "translation api listing": "/admin/localize/api/snippets/leadwizard/lead/",
        "translation api detail": f"/admin/localize/api/snippets/leadwizard/lead/{lead.pk}/",
        "site history": reverse("wagtailadmin_reports:site_history"),
        "site history results": reverse("wagtailadmin_reports:site_history_results"),
        "page usage": reverse("wagtailadmin_pages:usage", args=[lead.source_page_id]),
        "page search": reverse("wagtailadmin_pages:search") + "?q=Geheimrat",
    }


def leaked(content):
    return sorted(field for field, value in PERSONAL.items() if value in content)


def test_the_walk_finds_the_views_wagtail_generates_for_leads(lead):
    names = set(lead_urls(lead))
    for view in (
        "index",
        "index_results",
        "inspect",
        "edit",
        "delete",
        "history",
        "history_results",
        "usage",
    ):
        assert f"{LEAD_ADMIN_NAMESPACE}:{view}" in names
    assert {"bulk set_status", "bulk assign"} <= names
    assert {
        "leadwizard_admin:export_leads",
        "leadwizard_admin:erase_lead",
        "leadwizard_admin:report_conversion",
        "leadwizard_consult:queue",
        "leadwizard_consult:shortlist",
    } <= names


@pytest.mark.parametrize("role", ROLES_WITHOUT_VIEW)
def test_no_personal_data_reaches_a_user_without_view_lead(client, users, lead, role):
    if users[role]:
        client.force_login(users[role])
    urls = {**lead_urls(lead), **generic_urls(lead)}
    found = {}
    for name, url in urls.items():
        response = client.get(url)
        content = b"".join(response) if response.streaming else response.content
        leaks = leaked(content.decode(errors="replace"))
        if leaks:
            found[name] = (response.status_code, leaks)
    assert found == {}


@pytest.mark.parametrize("role", ROLES_WITHOUT_VIEW)
def test_a_user_without_view_lead_changes_nothing(client, users, lead, role):
    if users[role]:
        client.force_login(users[role])
    client.post(reverse(f"{LEAD_ADMIN_NAMESPACE}:edit", args=[lead.pk]), {"status": "won"})
    client.post(reverse(f"{CONSULT_NAMESPACE}:add_note", args=[lead.pk]), {"text": "x"})
    client.post(reverse(f"{LEAD_ADMIN_NAMESPACE}:delete", args=[lead.pk]))
    client.post(
        reverse("wagtail_bulk_action", args=["leadwizard", "lead", "set_status"]) + f"?id={lead.pk}",
        {"status": "won"},
    )
    client.post(reverse("wagtail_bulk_action", args=["leadwizard", "lead", "delete"]) + f"?id={lead.pk}")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW and not lead.lead_notes.exists()


@pytest.mark.parametrize("role", ROLES_WITH_VIEW)
def test_people_who_may_see_leads_see_them(client, users, lead, role):
    """The other side of the walk: the markers are really on the lead screens."""
    client.force_login(users[role])
    listing = client.get(reverse(f"{LEAD_ADMIN_NAMESPACE}:index")).content.decode()
    inspect = client.get(reverse(f"{LEAD_ADMIN_NAMESPACE}:inspect", args=[lead.pk])).content.decode()
    assert PERSONAL["name"] in listing
    assert leaked(inspect) == sorted(PERSONAL)


def test_nobody_adds_leads_in_the_admin(client, users, lead):
    client.force_login(users["superuser"])
    assert client.get(reverse(f"{LEAD_ADMIN_NAMESPACE}:add")).status_code in (302, 403)
    assert Lead.objects.count() == 1


def test_leads_are_not_in_the_reference_index(lead):
    """Indexed leads would be listed on their source page's "Usage" tab."""
    lead.save()
    call_command("rebuild_references_index", stdout=io.StringIO())
    assert not ReferenceIndex.objects.filter(object_id=str(lead.pk), content_type__model="lead").exists()
    assert ReferenceIndex.get_references_to(Page.objects.get(pk=lead.source_page_id)).count() == 0


def test_bulk_checkboxes_are_labelled_by_the_lead_name(client, users, lead):
    client.force_login(users["marketer"])
    html = client.get(reverse(f"{LEAD_ADMIN_NAMESPACE}:index")).content.decode()
    assert f'aria-describedby="lead_{lead.pk}_title"' in html
    assert f'id="lead_{lead.pk}_title"' in html
    # The checkbox's own name says whom it selects, not only "Select".
    assert f'aria-label="{PERSONAL["name"]} ({PERSONAL["company"]}) auswählen"' in html
