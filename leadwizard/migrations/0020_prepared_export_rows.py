"""Lead export rows written ahead (``PreparedExportRow``), and the trigger that deletes them when a lead changes.

The trigger (PostgreSQL, where the rows are written) deletes a lead's
prepared rows in the same transaction as any update of the lead, however it
is made (``save``, ``QuerySet.update``, SQL): no copy of a lead's fields
outlives an edit or an erasure, and an export never copies fields older than
the lead. Deleting a lead deletes its rows by the foreign key.
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGGER_FUNCTION = "leadwizard_forget_prepared_rows"
TRIGGER = "leadwizard_lead_prepared_rows"


def forget_rows_on_change(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    leads = quote(apps.get_model("leadwizard", "Lead")._meta.db_table)
    rows = quote(apps.get_model("leadwizard", "PreparedExportRow")._meta.db_table)
    # Only quoted table names go into the text.
    schema_editor.execute(
        f"""
        CREATE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {rows} WHERE lead_id = OLD.id;
            RETURN NULL;
        END
        $$
        """
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON {leads} "
        f"FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {TRIGGER_FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    leads = schema_editor.quote_name(apps.get_model("leadwizard", "Lead")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {leads}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER_FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0019_stored_answer_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="PreparedExportRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=10, verbose_name="language")),
                ("words", models.CharField(max_length=64, verbose_name="hash of labels and words")),
                ("text", models.TextField(verbose_name="CSV fields")),
                (
                    "lead",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prepared_export_rows",
                        to="leadwizard.lead",
                        verbose_name="lead",
                    ),
                ),
            ],
            options={
                "verbose_name": "prepared export row",
                "verbose_name_plural": "prepared export rows",
                "constraints": [
                    models.UniqueConstraint(fields=("lead", "language"), name="leadwizard_prepared_row_lead_language")
                ],
            },
        ),
        migrations.RunPython(forget_rows_on_change, drop_trigger),
    ]
