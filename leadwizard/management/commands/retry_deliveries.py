"""Attempt the lead deliveries (e-mails, webhooks) whose next attempt is due."""

from django.core.management.base import BaseCommand, CommandError

from leadwizard.deliveries import attempt, due_deliveries


class Command(BaseCommand):
    help = (
        "Attempt the deliveries of leads (sales and reader e-mails, marketing opt-in e-mails, webhooks) "
        "that are due: status pending or retrying, with a next attempt time that has passed. "
        "Failed deliveries are retried with exponential backoff "
        "(LEADWIZARD_DELIVERY_BACKOFF_SECONDS * 2**(attempts - 1), at most 6 hours) until "
        "LEADWIZARD_DELIVERY_MAX_ATTEMPTS is reached; then they are given up. "
        "Two ways to run retries: (1) with a tasks backend that supports deferred tasks "
        "(django_tasks_db.DatabaseBackend with a worker, 'manage.py db_worker'), each retry is enqueued "
        "for its time automatically and this command is only a safety net (e.g. run hourly); "
        "(2) with a backend that cannot defer (the ImmediateBackend, or any other), run this command "
        "from cron, e.g. every 5 minutes: '*/5 * * * * python manage.py retry_deliveries'. "
        "Running both is safe: a delivery is never attempted twice at the same time."
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
        succeeded = failed = skipped = 0
        for delivery in due:
            result = attempt(delivery)
            if result is None:
                skipped += 1
            elif result:
                succeeded += 1
            else:
                failed += 1
        self.stdout.write(
            f"{len(due)} due: {succeeded} succeeded, {failed} failed, {skipped} skipped (taken elsewhere)."
        )
