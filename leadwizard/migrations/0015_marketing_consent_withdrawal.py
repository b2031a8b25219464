from django.db import migrations, models

WITHDRAWAL_SOURCES = [
    ("link", "link in an e-mail"),
    ("one_click", "one-click unsubscribe (RFC 8058)"),
    ("phone", "recorded by staff: phone"),
    ("letter", "recorded by staff: letter"),
    ("email", "recorded by staff: e-mail"),
    ("other", "recorded by staff: other"),
]


class Migration(migrations.Migration):
    dependencies = [("leadwizard", "0014_questionnaire_conditions")]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="marketing_withdrawn_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Set when the reader withdrew marketing consent; no marketing e-mail goes out after it.",
                null=True,
                verbose_name="marketing consent withdrawn",
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="marketing_withdrawal_source",
            field=models.CharField(
                blank=True,
                choices=WITHDRAWAL_SOURCES,
                max_length=20,
                verbose_name="marketing consent withdrawn by",
            ),
        ),
        migrations.CreateModel(
            name="MarketingSuppression",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "email_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="hashed e-mail address"
                    ),
                ),
                ("withdrawn_at", models.DateTimeField(verbose_name="withdrawn at")),
                (
                    "source",
                    models.CharField(choices=WITHDRAWAL_SOURCES, max_length=20, verbose_name="withdrawn by"),
                ),
            ],
            options={
                "verbose_name": "withdrawn marketing address",
                "verbose_name_plural": "withdrawn marketing addresses",
            },
        ),
    ]
