"""Webhooks signed as Standard Webhooks: room for whsec_ secrets, the previous secret of a rotation.

Every secret of old is rewritten as ``whsec_`` and the base64 of its UTF-8
bytes. The HMAC key stays exactly the bytes it was, so a receiver that checks
``X-LeadWizard-Signature`` with the secret it has keeps working, and the
whsec_ form is what its Standard Webhooks library needs (the admin shows it).
A secret of old is rewritten even when it starts with ``whsec_`` already: its
key was the text itself, and stays so.
"""

import base64
import secrets

from django.db import migrations, models

PREFIX = "whsec_"


def to_standard_form(apps, schema_editor):
    Webhook = apps.get_model("leadwizard", "Webhook")
    for webhook in Webhook.objects.all():
        # An empty secret signed nothing worth checking: it gets a new one, as a new webhook would.
        key = webhook.secret.encode() or secrets.token_bytes(32)
        webhook.secret = PREFIX + base64.b64encode(key).decode()
        webhook.save(update_fields=["secret"])


def to_old_form(apps, schema_editor):
    """Back to the text of old where the key is one; a secret generated since stays as it is."""
    Webhook = apps.get_model("leadwizard", "Webhook")
    for webhook in Webhook.objects.filter(secret__startswith=PREFIX):
        try:
            text = base64.b64decode(webhook.secret.removeprefix(PREFIX), validate=True).decode()
        except ValueError:  # random bytes, not text: no secret of old
            continue
        if len(text) <= 200:
            webhook.secret = text
            webhook.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("leadwizard", "0015_marketing_consent_withdrawal")]

    operations = [
        migrations.AlterField(
            model_name="webhook",
            name="secret",
            field=models.CharField(
                help_text="Generated when the webhook is saved; whsec_ and base64, as Standard Webhooks defines.",
                verbose_name="secret",
                blank=True,
                editable=False,
                max_length=1100,
            ),
        ),
        migrations.AddField(
            model_name="webhook",
            name="previous_secret",
            field=models.CharField(
                help_text="The secret before the last rotation; still signed with until it expires or is removed.",
                verbose_name="previous secret",
                blank=True,
                editable=False,
                max_length=1100,
            ),
        ),
        migrations.AddField(
            model_name="webhook",
            name="previous_secret_expires_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Empty: until the previous secret is removed.",
                null=True,
                verbose_name="previous secret valid until",
            ),
        ),
        migrations.RunPython(to_standard_form, to_old_form, elidable=False),
    ]
