"""The test database as it is after ``load_demo``, kept once and put back before each browser test.

Browser tests are transactional (the live server runs in another thread and must
see committed data), so Django empties every table after each of them. Loading
the demo again (pages, translations, images) took several seconds per test;
putting the rows back takes a fraction of a second: SQLite's backup API copies
the whole in-memory database, PostgreSQL's COPY moves each table's rows.
"""

import io

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction


class DatabaseSnapshot:
    """Every row of every model table at one moment, restorable into the same database."""

    def __init__(self):
        self.vendor = connection.vendor
        self.tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        if self.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.copy)
        elif self.vendor == "postgresql":
            self.rows = {}
            with connection.cursor() as cursor:
                for table in self.tables:
                    buffer = io.BytesIO()
                    cursor.cursor.copy_expert(
                        f"COPY {connection.ops.quote_name(table)} TO STDOUT (FORMAT binary)", buffer
                    )
                    self.rows[table] = buffer.getvalue()
        else:
            raise NotImplementedError(f"no snapshot for {self.vendor}")

    def restore(self):
        if self.vendor == "sqlite":
            self.copy.backup(connection.connection)
        else:
            quoted = ", ".join(connection.ops.quote_name(table) for table in self.tables)
            # One transaction: Django's foreign keys are deferred on PostgreSQL and checked at its end.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
                for table, rows in self.rows.items():
                    cursor.cursor.copy_expert(
                        f"COPY {connection.ops.quote_name(table)} FROM STDIN (FORMAT binary)",
                        io.BytesIO(rows),
                    )
                models = apps.get_models(include_auto_created=True)
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        # Content types come back with the ids of the snapshot.
        ContentType.objects.clear_cache()
