"""Leads stay with the people allowed to see them.

- Creates the namespaced group "Lead wizard: Marketing" (``leadwizard.groups``);
  an existing group of that name is left alone, and the reverse deletes only
  the group this migration made.
- Removes leads from Wagtail's reference index: as a snippet they were indexed,
  which listed them on their source page's "Usage" tab.
- Replaces the person's name in the labels of leads' audit log entries: labels
  used to be "Name (Company)" and show up in the site history report.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat

from leadwizard.groups import create_marketing_group, remove_marketing_group


def _lead_content_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.filter(app_label="leadwizard", model="lead").first()


def forward(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    app_config = apps.get_app_config("leadwizard")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    create_marketing_group(apps)

    lead_type = _lead_content_type(apps)
    if lead_type is None:
        return
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    ReferenceIndex.objects.filter(content_type=lead_type).delete()
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    ModelLogEntry.objects.filter(content_type=lead_type).update(label=Concat(Value("Lead "), F("object_id")))


def backward(apps, schema_editor):
    # The index and labels are not put back: they were the leak.
    remove_marketing_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0003_marketing_group"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
