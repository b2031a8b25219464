"""``manage.py ensure_superuser``: create a demo administrator when there is none."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' when no superuser exists. The password comes from "
        "DJANGO_SUPERUSER_PASSWORD; without it a random one is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")

    def handle(self, *args, **options):
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser exists already; log in with your own account at /admin/.")
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(options["username"], options["email"], password)
        self.stdout.write(self.style.SUCCESS(f"Created the superuser '{options['username']}'."))
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Its password is: {password}\nIt is shown only this once; "
                    "set DJANGO_SUPERUSER_PASSWORD to choose your own."
                )
            )
