from django.db import migrations, models
from django.db.models.functions import Upper


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0017_export_presets"),
    ]

    operations = [
        # The duplicate check of every submit (leads.mark_likely_duplicate) compares
        # addresses case-insensitively within a time window.
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                Upper("email"), models.F("created_at"), models.F("id"), name="leadwizard_lead_email_created"
            ),
        ),
    ]
