"""The keys of the leads' answers, kept by the database (PostgreSQL), and an index on the answers.

A lead export lists the columns of questions removed from the questionnaire
before its first byte. Listing the keys of every lead's answers read the whole
lead table (a second at a million leads); with the keys kept in
``StoredAnswerKey`` and a GIN index on the answers, the export asks per key
whether a lead of the export has it. On other databases the export still lists
the keys of its leads, and neither the trigger nor the index is made.
"""

from django.db import migrations, models

TRIGGER_FUNCTION = "leadwizard_keep_answer_keys"
TRIGGER = "leadwizard_lead_answer_keys"
ANSWERS_INDEX = "leadwizard_lead_answers_gin"


def keep_answer_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    leads = quote(apps.get_model("leadwizard", "Lead")._meta.db_table)
    keys = quote(apps.get_model("leadwizard", "StoredAnswerKey")._meta.db_table)
    # Only quoted table names go into the text.
    schema_editor.execute(
        f"""
        CREATE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF jsonb_typeof(NEW.answers) = 'object' THEN
                INSERT INTO {keys} (key) SELECT jsonb_object_keys(NEW.answers) ON CONFLICT (key) DO NOTHING;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OF answers ON {leads} "
        f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_FUNCTION}()"
    )
    schema_editor.execute(
        f"INSERT INTO {keys} (key) SELECT DISTINCT jsonb_object_keys(answers) FROM {leads} "  # noqa: S608
        "WHERE jsonb_typeof(answers) = 'object' ON CONFLICT (key) DO NOTHING"
    )
    # jsonb_ops (the default) serves "answers ? key", Django's has_key lookup.
    schema_editor.execute(f"CREATE INDEX {ANSWERS_INDEX} ON {leads} USING gin (answers)")


def forget_answer_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    leads = schema_editor.quote_name(apps.get_model("leadwizard", "Lead")._meta.db_table)
    schema_editor.execute(f"DROP INDEX IF EXISTS {ANSWERS_INDEX}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {leads}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER_FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("leadwizard", "0018_lead_email_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoredAnswerKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.TextField(unique=True, verbose_name="question key")),
            ],
            options={
                "verbose_name": "stored answer key",
                "verbose_name_plural": "stored answer keys",
            },
        ),
        migrations.RunPython(keep_answer_keys, forget_answer_keys),
    ]
