"""``manage.py load_demo``: create the demo site's content (idempotent) from ``website/demo/data/``."""

from django.core.management.base import BaseCommand, CommandError

from website.demo.datafiles import DemoDataError
from website.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Create the demo content from the data files in website/demo/data/: home page, "
        "magazine, German articles with authors, topics, images and links, English "
        "translations made with wagtail-localize, the wizard's questionnaire and vendors, "
        "and a consultant with sample leads in different states. "
        "Creates only what is missing, so it is safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hostname", default="127.0.0.1", help="Host name of the demo site (default: 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000, help="Port of the demo site (default: 8000).")
        parser.add_argument(
            "--no-leads",
            action="store_true",
            help="Leave out the sample consultant and leads (the browser tests start without them).",
        )

    def handle(self, *args, **options):
        verbose = options["verbosity"] > 1
        try:
            DemoLoader(
                log=(lambda message: self.stdout.write(f"  {message}"))
                if verbose
                else (lambda message: None),
                site_hostname=options["hostname"],
                site_port=options["port"],
                leads=not options["no_leads"],
            ).run()
        except DemoDataError as exc:
            # A mistake in a data file: name the file instead of a traceback; run() is atomic,
            # so nothing of the half-built demo stays in the database.
            raise CommandError(f"Demo data: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
