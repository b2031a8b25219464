"""``manage.py load_demo``: create the demo site's content (idempotent)."""

from django.core.management.base import BaseCommand

from website.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Create the demo content: home page, magazine, German articles with authors, "
        "topics, images and links, and English translations made with wagtail-localize. "
        "Creates only what is missing, so it is safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hostname", default="127.0.0.1", help="Host name of the demo site (default: 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000, help="Port of the demo site (default: 8000).")

    def handle(self, *args, **options):
        verbose = options["verbosity"] > 1
        DemoLoader(
            log=(lambda message: self.stdout.write(f"  {message}")) if verbose else (lambda message: None),
            site_hostname=options["hostname"],
            site_port=options["port"],
        ).run()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
