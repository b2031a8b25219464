"""Create the Marketing group: the people who may see, work and export leads."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Marketing"
LEAD_PERMISSIONS = ["view_lead", "change_lead", "delete_lead", "export_lead"]
WEBHOOK_PERMISSIONS = ["view_webhook", "add_webhook", "change_webhook", "delete_webhook"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    app_config = apps.get_app_config("leadwizard")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = Permission.objects.filter(
        content_type__app_label="leadwizard", codename__in=LEAD_PERMISSIONS + WEBHOOK_PERMISSIONS
    )
    admin_access = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    group.permissions.add(*permissions, *admin_access)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0002_leads_workflow"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
