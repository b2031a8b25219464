"""The lead group is created and removed without touching a site's own groups."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from leadwizard.groups import (
    LEAD_PERMISSIONS,
    MARKETING_GROUP_NAME,
    create_marketing_group,
    remove_marketing_group,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("leadwizard.migrations.0004_safe_lead_access")


def codenames(group):
    return set(group.permissions.values_list("codename", flat=True))


def test_migrations_create_the_namespaced_group_with_the_lead_permissions(migration_data):
    group = Group.objects.get(name=MARKETING_GROUP_NAME)
    assert set(LEAD_PERMISSIONS) | {"access_admin"} <= codenames(group)


def test_a_sites_own_marketing_group_gains_nothing(migration_data):
    own = Group.objects.create(name="Marketing")
    Group.objects.filter(name=MARKETING_GROUP_NAME).delete()

    migration.forward(apps, None)

    assert codenames(own) == set()
    assert Group.objects.filter(name=MARKETING_GROUP_NAME).exists()


def test_an_existing_group_of_the_same_name_is_left_alone(migration_data):
    Group.objects.filter(name=MARKETING_GROUP_NAME).delete()
    existing = Group.objects.create(name=MARKETING_GROUP_NAME)

    assert create_marketing_group(apps) is None
    assert codenames(existing) == set()


def test_rolling_back_removes_only_what_was_created(migration_data):
    own = Group.objects.create(name="Marketing")
    migration.backward(apps, None)
    assert not Group.objects.filter(name=MARKETING_GROUP_NAME).exists()
    assert Group.objects.filter(pk=own.pk).exists()


def test_rolling_back_keeps_a_same_named_group_that_was_there_before(migration_data):
    Group.objects.filter(name=MARKETING_GROUP_NAME).delete()
    existing = Group.objects.create(name=MARKETING_GROUP_NAME)
    existing.permissions.add(Permission.objects.get(codename="add_image"))
    migration.forward(apps, None)

    assert remove_marketing_group(apps) is False
    assert Group.objects.filter(pk=existing.pk).exists()


def test_editors_and_moderators_get_no_lead_permission(migration_data):
    for name in ("Editors", "Moderators"):
        assert not codenames(Group.objects.get(name=name)) & set(LEAD_PERMISSIONS)


def test_editors_may_edit_the_questionnaire_and_the_vendors_but_see_no_lead(
    client, django_user_model, site_tree
):
    from django.urls import reverse

    from tests.factories import LeadFactory, QuestionnaireFactory, VendorFactory

    editor = django_user_model.objects.create_user("emil", "emil@example.com", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    questionnaire = QuestionnaireFactory()
    vendor = VendorFactory(questionnaire=questionnaire, name="Sichtbar CRM")
    LeadFactory(name="Geheim Person")
    assert "Sichtbar CRM" in client.get(reverse("wagtailsnippets_leadwizard_vendor:list")).content.decode()
    assert client.get(reverse("wagtailsnippets_leadwizard_vendor:edit", args=[vendor.pk])).status_code == 200
    edit = reverse("wagtailsnippets_leadwizard_questionnaire:edit", args=[questionnaire.pk])
    assert client.get(edit).status_code == 200
    assert client.get(reverse("leadwizard_leads:index")).status_code in (302, 403)


def test_the_editors_grant_is_only_questionnaire_and_vendor_permissions(migration_data):
    granted = codenames(Group.objects.get(name="Editors")) & set(
        Permission.objects.filter(content_type__app_label="leadwizard").values_list("codename", flat=True)
    )
    assert granted == {
        f"{a}_{m}" for m in ("questionnaire", "vendor") for a in ("add", "change", "delete", "view")
    }
