"""Retention: anonymise (or delete) leads older than LEADWIZARD_RETENTION_DAYS."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from leadwizard.conf import app_settings
from leadwizard.models import Lead
from leadwizard.privacy import erase_lead, lead_title, scrub_log_labels

LOG_DELETE = "wagtail.delete"
REASON = "retention"


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of leads older than the retention period "
        "(LEADWIZARD_RETENTION_DAYS), or delete them with --delete. Each lead is logged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention period in days (default: the LEADWIZARD_RETENTION_DAYS setting).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only report what would be done.")
        parser.add_argument(
            "--delete", action="store_true", help="Delete the leads instead of anonymising them."
        )

    def handle(self, *args, days=None, dry_run=False, delete=False, **options):
        if days is None:
            days = app_settings.RETENTION_DAYS
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        leads = Lead.objects.filter(created_at__lt=cutoff)
        if not delete:
            # Erased leads hold nothing personal any more.
            leads = leads.filter(erased_at__isnull=True)
        ids = list(leads.order_by("created_at", "pk").values_list("pk", flat=True))
        verb = "delete" if delete else "anonymise"
        summary = {
            "count": len(ids),
            "days": days,
            "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M"),
        }

        if dry_run:
            self.stdout.write(
                f"Dry run: would {verb} {summary['count']} lead(s) created before {summary['cutoff']} "
                f"(older than {days} days). Nothing was changed."
            )
            return

        done = 0
        for pk in ids:
            lead = Lead.objects.filter(pk=pk).first()
            if lead is None:
                continue
            if delete:
                self.delete_lead(lead, days)
                done += 1
            elif erase_lead(lead, reason=REASON):
                done += 1
        past = "Deleted" if delete else "Anonymised"
        self.stdout.write(
            self.style.SUCCESS(
                f"{past} {done} lead(s) created before {summary['cutoff']} (older than {days} days)."
            )
        )

    @staticmethod
    def delete_lead(lead, days):
        with transaction.atomic():
            # Logged while the lead exists; no label in the log names the person.
            scrub_log_labels(lead)
            log(
                lead,
                LOG_DELETE,
                title=lead_title(lead),
                deleted=True,
                data={"reason": REASON, "retention_days": days},
            )
            lead.delete()
