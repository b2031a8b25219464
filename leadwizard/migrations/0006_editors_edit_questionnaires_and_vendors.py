"""Wagtail's Editors and Moderators groups may edit the questionnaire and the vendor catalogue.

Editors own that content, but the default groups could not even open it. Only
the groups Wagtail creates by those names get it, and only the questionnaire
and vendor permissions: never a lead permission. The reverse takes away exactly
these permissions (they concern this app's models only).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Editors", "Moderators")
CONTENT_PERMISSIONS = [
    f"{action}_{model}" for model in ("questionnaire", "vendor") for action in ("add", "change", "delete", "view")
]


def _permissions(apps):
    app_config = apps.get_app_config("leadwizard")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="leadwizard", codename__in=CONTENT_PERMISSIONS
    )


def grant(apps, schema_editor):
    permissions = list(_permissions(apps))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = list(_permissions(apps))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0005_question_kinds_and_roles_from_registries"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
