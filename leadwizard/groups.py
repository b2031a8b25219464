"""The group of people who work leads, created safely on any site.

A plugin must not change who may see personal data on a site it is installed
into. So the group has a name of its own that no site is likely to use
already, an existing group of that name is left exactly as it is, and removing
the group (rolling the migration back) deletes only the group this app made.
"""

#: The group created for marketers and consultants. Namespaced by the app, so that a
#: site's own "Marketing" group never silently gains access to leads.
MARKETING_GROUP_NAME = "Lead wizard: Marketing"

LEAD_PERMISSIONS = ("view_lead", "change_lead", "delete_lead", "export_lead")
WEBHOOK_PERMISSIONS = ("view_webhook", "add_webhook", "change_webhook", "delete_webhook")
ADMIN_ACCESS = ("wagtailadmin", "access_admin")


def _granted_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(
        content_type__app_label="leadwizard", codename__in=LEAD_PERMISSIONS + WEBHOOK_PERMISSIONS
    )
    admin = Permission.objects.filter(content_type__app_label=ADMIN_ACCESS[0], codename=ADMIN_ACCESS[1])
    return [*ours, *admin]


def create_marketing_group(apps):
    """Create the group with the lead permissions; returns it, or None when a group of that name existed."""
    Group = apps.get_model("auth", "Group")
    if Group.objects.filter(name=MARKETING_GROUP_NAME).exists():
        return None
    group = Group.objects.create(name=MARKETING_GROUP_NAME)
    group.permissions.add(*_granted_permissions(apps))
    return group


def remove_marketing_group(apps):
    """Delete the group this app created; returns True when it was deleted.

    Only a group of our name that holds every permission ``create_marketing_group``
    granted counts as ours: a group of that name that existed before (and was
    therefore left without them) stays, as does every other group.
    """
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=MARKETING_GROUP_NAME).first()
    if group is None:
        return False
    granted = {permission.pk for permission in _granted_permissions(apps)}
    if not granted <= set(group.permissions.values_list("pk", flat=True)):
        return False
    group.delete()
    return True
