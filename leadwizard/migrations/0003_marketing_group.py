"""Formerly created a group named "Marketing"; now does nothing.

It used ``get_or_create`` on a name many sites already use, so a site's own
"Marketing" group silently gained access to leads, and rolling back deleted
the site's group. Migration 0004 creates a namespaced group safely instead.
Databases that applied the old version keep whatever it did (see the upgrade
notes in CHANGELOG.md); rolling it back no longer deletes anything.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0002_leads_workflow"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = []
