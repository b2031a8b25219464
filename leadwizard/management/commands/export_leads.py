"""Export leads to a CSV or XLSX file: the same rows and columns as the admin's export."""

import os
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import translation

from leadwizard.exports import CSV_DIALECTS, columns_for, iter_csv, write_xlsx
from leadwizard.exports.filters import LeadFilterSet, filter_leads
from leadwizard.exports.jobs import FORMATS, record_export, user_language
from leadwizard.exports.workbooks import WRITERS
from leadwizard.models import Lead


def iso_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = (
        "Export leads as CSV or XLSX, with the filters of the admin's leads listing. The file holds "
        "personal data and is created readable by its owner only. The export is recorded in the "
        "audit log under --user, who needs the permission to export leads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS, help="File format.")
        parser.add_argument(
            "--output", required=True, help="Path of the file to write (replaced if it exists)."
        )
        parser.add_argument(
            "--user",
            required=True,
            help="User name of the person the export is made for; recorded in the audit log.",
        )
        parser.add_argument(
            "--from", dest="date_from", type=iso_date, help="Created on or after (YYYY-MM-DD)."
        )
        parser.add_argument("--to", dest="date_to", type=iso_date, help="Created on or before (YYYY-MM-DD).")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=Lead.Status.values,
            help="Only leads with this status; repeat for several.",
        )
        parser.add_argument("--questionnaire", type=int, help="Only leads of the questionnaire with this id.")
        parser.add_argument(
            "--locale",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Only leads made in this language.",
        )
        parser.add_argument("--search", help="Only leads whose name, company or e-mail contain this text.")
        parser.add_argument(
            "--dialect",
            choices=list(CSV_DIALECTS),
            default="excel_de",
            help="CSV dialect: excel_de (semicolons, for German Excel; the default) or rfc4180 (commas).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the headers and of answers, status and yes/no (default: LANGUAGE_CODE).",
        )
        parser.add_argument(
            "--xlsx-writer",
            choices=list(WRITERS),
            help="XLSX writer: streaming (ours, fast) or openpyxl (the reference); default LEADWIZARD_EXPORT_XLSX_WRITER.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress on stderr.")

    def handle(self, *args, **options):
        user = self.get_user(options["user"])
        params = self.filter_params(options)
        filterset = LeadFilterSet(params, queryset=Lead.objects.all())
        if not filterset.is_valid():
            errors = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()
            )
            raise CommandError(f"Invalid filters: {errors}")

        with translation.override(user_language(user)):
            queryset = filter_leads(params)
            total = queryset.count()
            language = options["language"] or settings.LANGUAGE_CODE
            columns = columns_for(queryset, language)
            show_progress = not options["no_progress"] and total > 0
            written = 0

            def progress(done):
                nonlocal written
                written = done
                if show_progress:
                    self.stderr.write(
                        f"\rExporting leads: {100 * done // total:3d} % ({done:,} of {total:,})",
                        style_func=str,
                        ending="",
                    )
                    self.stderr.flush()

            path = options["output"]
            # Personal data: readable by the owner only.
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "wb") as fileobj:
                if options["format"] == "csv":
                    for block in iter_csv(
                        queryset, columns, progress=progress, dialect=options["dialect"], language=language
                    ):
                        fileobj.write(block)
                else:
                    write_xlsx(
                        queryset,
                        fileobj,
                        columns,
                        progress=progress,
                        language=language,
                        writer=options["xlsx_writer"],
                    )
            if show_progress:
                self.stderr.write("", style_func=str)

        record_export(user, options["format"], params, written, how="command")
        self.stdout.write(f"Exported {written:,} leads to {path}.")

    def get_user(self, username):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if not (user.is_active and user.has_perm("leadwizard.export_lead")):
            raise CommandError(f"{username!r} may not export leads (permission leadwizard.export_lead).")
        return user

    def filter_params(self, options):
        """The listing's query parameters for the options given."""
        params = QueryDict(mutable=True)
        if options["date_from"]:
            params["created_at_from"] = options["date_from"].isoformat()
        if options["date_to"]:
            params["created_at_to"] = options["date_to"].isoformat()
        if options["status"]:
            params.setlist("status", options["status"])
        if options["questionnaire"] is not None:
            params["questionnaire"] = str(options["questionnaire"])
        if options["locale"]:
            params["locale"] = options["locale"]
        if options["search"]:
            params["q"] = options["search"]
        return params
