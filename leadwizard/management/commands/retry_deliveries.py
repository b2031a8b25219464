"""Attempt the lead deliveries (e-mails, webhooks) whose next attempt is due."""

from django.core.management.base import BaseCommand, CommandError

from leadwizard.deliveries.attempts import due_deliveries
from leadwizard.deliveries.planning import schedule_missing_deliveries
from leadwizard.deliveries.tasks import attempt_and_requeue


class Command(BaseCommand):
    help = (
        "Attempt the deliveries of leads (sales and reader e-mails, marketing opt-in e-mails, webhooks) "
        "that are due: status pending or retrying, with a next attempt time that has passed; and plan "
        "the deliveries of leads that have none because their planning failed. "
        "Failed deliveries are retried with exponential backoff "
        "(LEADWIZARD_DELIVERY_BACKOFF_SECONDS * 2**(attempts - 1), at most 6 hours) until "
        "LEADWIZARD_DELIVERY_MAX_ATTEMPTS is reached; then they are given up. "
        "Run it every minute from cron or a systemd timer, also next to a worker: with "
        "django_tasks_db.DatabaseBackend and 'manage.py db_worker' each retry is enqueued for its time, "
        "but a worker killed during an attempt leaves that task running for ever, and only this command "
        "attempts the delivery again (once its 5-minute lease has passed). "
        "With a backend that cannot defer tasks (the ImmediateBackend) this command runs every retry. "
        "Running it next to workers is safe: a delivery is never attempted twice at the same time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help="Attempt at most this many deliveries (default: 500)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list the due deliveries; attempt nothing."
        )

    def handle(self, *args, limit=500, dry_run=False, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        due = list(due_deliveries()[:limit])
        if dry_run:
            for delivery in due:
                self.stdout.write(
                    f"{delivery.pk}\tlead {delivery.lead_id}\t{delivery.kind}\t"
                    f"{delivery.status}\tattempts {delivery.attempts}"
                )
            self.stdout.write(f"{len(due)} due.")
            return
        planned = schedule_missing_deliveries()
        if planned:
            self.stdout.write(f"Planned the missing deliveries of {planned} lead(s).")
            due = list(due_deliveries()[:limit])
        succeeded = failed = skipped = 0
        for delivery in due:
            result = attempt_and_requeue(delivery)
            if result is None:
                skipped += 1
            elif result:
                succeeded += 1
            else:
                failed += 1
        self.stdout.write(
            f"{len(due)} due: {succeeded} succeeded, {failed} failed, {skipped} skipped (taken elsewhere)."
        )
