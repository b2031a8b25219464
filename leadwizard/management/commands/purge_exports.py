"""Delete the files of expired lead exports, and leftovers of exports that never finished."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from leadwizard.conf import app_settings
from leadwizard.exports.jobs import FILE_NAME_RE, PARTIAL_NAME_RE, export_root, job_file
from leadwizard.models import ExportJob


class Command(BaseCommand):
    help = (
        "Delete the files of lead exports whose expiry (LEADWIZARD_EXPORT_EXPIRY_HOURS) has passed, "
        "and export files in LEADWIZARD_EXPORT_ROOT that no export refers to and that are older than "
        "the expiry (e.g. of a failed export). The exports stay listed, with the audit log. Run it "
        "at least hourly, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only report what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        root = export_root()
        expired = 0
        for job in ExportJob.objects.filter(expires_at__lte=timezone.now()).exclude(file_name=""):
            path = job_file(job)
            if not dry_run:
                if path is not None:
                    path.unlink(missing_ok=True)
                job.file_name = ""
                job.save(update_fields=["file_name"])
            expired += 1

        known = set(ExportJob.objects.exclude(file_name="").values_list("file_name", flat=True))
        cutoff = time.time() - app_settings.EXPORT_EXPIRY_HOURS * 3600
        leftovers = 0
        for path in root.iterdir():
            if not (FILE_NAME_RE.match(path.name) or PARTIAL_NAME_RE.match(path.name)):
                continue  # not ours
            if path.name in known or not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if not dry_run:
                path.unlink(missing_ok=True)
            leftovers += 1

        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {expired} expired export file(s) and {leftovers} leftover file(s).")
