"""Django's tasks API: built into Django from 6.0, the ``django-tasks`` backport before.

Both read the ``TASKS`` setting. On Django 6 the backends (``django_tasks_db`` among
them) expect Django's own task class, so a task defined with the backport would
be refused there; every task of the plugin is defined with the ``task`` of this
module.
"""

try:
    from django.tasks import task
except ImportError:  # Django 5.2
    from django_tasks import task

__all__ = ["task"]
