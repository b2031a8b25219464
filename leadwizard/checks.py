"""System checks of the lead wizard's settings, run by ``manage.py check``, ``migrate`` and ``runserver``.

A wrong list of trusted proxies silently decides whose address the rate limits
count, so it is reported before the site serves anyone rather than by a reader.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.translation import gettext_lazy as _

from .wizard.protection import TRUSTED_PROXIES_SETTING, UNIX_SOCKET, parse_proxy_entry

LEGACY_TRUST_SETTING = "LEADWIZARD_TRUST_X_FORWARDED_FOR"


@register(Tags.security)
def trusted_proxies(app_configs=None, **kwargs):
    """LEADWIZARD_TRUSTED_PROXIES must be a list of IP addresses, CIDR networks or "unix"."""
    messages = []
    if hasattr(settings, LEGACY_TRUST_SETTING):
        messages.append(
            Warning(
                _("%(old)s is no longer supported and is ignored.") % {"old": LEGACY_TRUST_SETTING},
                hint=_(
                    "Remove it and list the proxies you run in %(new)s (IP addresses or networks, "
                    "or %(unix)s for a unix socket); X-Forwarded-For is only read from them."
                )
                % {"new": TRUSTED_PROXIES_SETTING, "unix": f'"{UNIX_SOCKET}"'},
                id="leadwizard.W001",
            )
        )
    entries = getattr(settings, TRUSTED_PROXIES_SETTING, ())
    if not isinstance(entries, list | tuple):
        messages.append(
            Error(
                _("%(name)s must be a list or tuple, not %(type)s.")
                % {"name": TRUSTED_PROXIES_SETTING, "type": type(entries).__name__},
                hint=_('For example ["127.0.0.1", "10.0.0.0/8"]; in the environment, comma-separated.'),
                id="leadwizard.E001",
            )
        )
        return messages
    for entry in entries:
        try:
            parse_proxy_entry(entry)
        except ValueError as exc:
            messages.append(
                Error(
                    _("%(name)s contains %(entry)r, which is not an IP address or network.")
                    % {"name": TRUSTED_PROXIES_SETTING, "entry": entry},
                    hint=_(
                        "Use addresses such as 127.0.0.1 or ::1, networks such as 10.0.0.0/8 (without "
                        'host bits), or "%(unix)s" for nginx on a unix socket (%(error)s).'
                    )
                    % {"unix": UNIX_SOCKET, "error": exc},
                    id="leadwizard.E002",
                )
            )
    return messages


@register(Tags.database)
def sqlite_keeps_concurrent_leads(app_configs=None, databases=None, **kwargs):
    """On SQLite, concurrent submits need IMMEDIATE transactions, or some fail with "database is locked"."""
    from django.db import connections

    messages = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        options = connection.settings_dict.get("OPTIONS", {})
        if str(options.get("transaction_mode", "")).upper() != "IMMEDIATE":
            messages.append(
                Warning(
                    _(
                        "The database %(alias)s is SQLite in its default transaction mode: readers who "
                        "submit the wizard at the same moment can get an error and lose their request."
                    )
                    % {"alias": alias},
                    hint=_(
                        'Set DATABASES["%(alias)s"]["OPTIONS"] to {"transaction_mode": "IMMEDIATE", '
                        '"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}, or use PostgreSQL.'
                    )
                    % {"alias": alias},
                    id="leadwizard.W002",
                )
            )
    return messages


@register()
def required_configuration(app_configs=None, **kwargs):
    """What the lead wizard cannot guess: who hears of new leads, and a private export folder of the site's own."""
    from .conf import app_settings

    messages = []
    if not app_settings.SALES_EMAIL:
        messages.append(
            Warning(
                _("LEADWIZARD_SALES_EMAIL is not set: nobody is told about new leads."),
                hint=_(
                    "Set LEADWIZARD_SALES_EMAIL to the inbox of the people who answer requests. When every "
                    "questionnaire names its own notification address instead, silence leadwizard.W003. "
                    "Readers' confirmations and webhooks are sent either way."
                ),
                id="leadwizard.W003",
            )
        )
    if not getattr(settings, "LEADWIZARD_EXPORT_ROOT", None) and not getattr(settings, "BASE_DIR", None):
        messages.append(
            Warning(
                _("LEADWIZARD_EXPORT_ROOT is not set, so large exports are written to %(folder)s.")
                % {"folder": app_settings.EXPORT_ROOT},
                hint=_(
                    "Set it to a private folder that every app server shares and the web server does not serve."
                ),
                id="leadwizard.W004",
            )
        )
    return messages


@register()
def export_settings(app_configs=None, **kwargs):
    """LEADWIZARD_EXPORT_XLSX_WRITER must name one of the XLSX writers: a typo would fail every XLSX export."""
    from .exports.workbooks import WRITERS

    writer = getattr(settings, "LEADWIZARD_EXPORT_XLSX_WRITER", "streaming")
    if writer in WRITERS:
        return []
    return [
        Error(
            _("LEADWIZARD_EXPORT_XLSX_WRITER is %(value)s, which is no XLSX writer.")
            % {"value": repr(writer)},
            hint=_('Use "streaming" (the default) or "openpyxl".'),
            id="leadwizard.E003",
        )
    ]
