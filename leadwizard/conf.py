"""Every setting of the lead wizard, with its default, read when it is used.

A site sets none of them to get going: each property below returns the site's
``LEADWIZARD_<NAME>`` when it has one, else the default, and is read at call
time, so tests and hosts may change settings at any moment. Configuration that
has no safe default (where the sales inbox is) is reported by the system checks
in ``checks.py`` at start-up instead of being discovered by a reader.
``docs/settings.md`` is the reference; a test keeps it complete.

Use it as ``from leadwizard.conf import app_settings`` and ``app_settings.SALES_EMAIL``.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings

PREFIX = "LEADWIZARD_"


class AppSettings:
    """The lead wizard's settings; each property documents one ``LEADWIZARD_*`` setting."""

    def _get(self, name, default):
        return getattr(settings, PREFIX + name, default)

    # Deliveries ----------------------------------------------------------------------

    @property
    def SALES_EMAIL(self):
        """The inbox told about every new lead (a questionnaire may name its own). Default: none.

        Without it, and without a questionnaire's own address, no sales notification
        is sent (the reader's confirmation and webhooks still are); the system check
        ``leadwizard.W003`` warns.
        """
        return self._get("SALES_EMAIL", "")

    @property
    def DELIVERY_CHANNELS(self):
        """Dotted paths of the delivery channels every new lead goes through, in order."""
        return self._get(
            "DELIVERY_CHANNELS",
            [
                "leadwizard.deliveries.channels.email.SalesNotification",
                "leadwizard.deliveries.channels.email.ReaderConfirmation",
                "leadwizard.deliveries.channels.email.MarketingOptIn",
                "leadwizard.deliveries.channels.webhook.WebhookChannel",
            ],
        )

    @property
    def DELIVERY_MAX_ATTEMPTS(self):
        """Attempts of one e-mail or webhook before it is given up. Default 6."""
        return self._get("DELIVERY_MAX_ATTEMPTS", 6)

    @property
    def DELIVERY_BACKOFF_SECONDS(self):
        """Wait after the first failed attempt; it doubles with each further one (at most 6 hours). Default 60."""
        return self._get("DELIVERY_BACKOFF_SECONDS", 60)

    @property
    def DELIVERY_LEASE_SECONDS(self):
        """How long a delivery being attempted is left alone by other workers. Default 300."""
        return self._get("DELIVERY_LEASE_SECONDS", 300)

    @property
    def WEBHOOK_TIMEOUT(self):
        """Seconds a webhook call may take. Default 5."""
        return self._get("WEBHOOK_TIMEOUT", 5)

    @property
    def WEBHOOK_ALLOWED_HOSTS(self):
        """Host names, IP addresses or networks webhooks may call although they are not public. Default none."""
        return self._get("WEBHOOK_ALLOWED_HOSTS", [])

    # Exports -------------------------------------------------------------------------

    @property
    def EXPORT_ROOT(self):
        """The private folder of background exports, never below MEDIA_ROOT or STATIC_ROOT.

        Default: ``<BASE_DIR>/private/leadwizard-exports`` when the site's settings
        define ``BASE_DIR`` (Django's project template does), else a folder in the
        system's temporary directory; the system check ``leadwizard.W004`` asks for a
        folder of the site's own then, as several app servers must share it.
        """
        configured = self._get("EXPORT_ROOT", None)
        if configured:
            return Path(configured)
        base = getattr(settings, "BASE_DIR", None)
        if base:
            return Path(base) / "private" / "leadwizard-exports"
        return Path(tempfile.gettempdir()) / "leadwizard-exports"

    @property
    def EXPORT_BACKGROUND_THRESHOLD(self):
        """Exports of more leads than this run as a background task. Default 50,000."""
        return self._get("EXPORT_BACKGROUND_THRESHOLD", 50_000)

    @property
    def EXPORT_XLSX_BACKGROUND_THRESHOLD(self):
        """The same for XLSX, which is slower to write. Default: ``EXPORT_BACKGROUND_THRESHOLD``."""
        return self._get("EXPORT_XLSX_BACKGROUND_THRESHOLD", self.EXPORT_BACKGROUND_THRESHOLD)

    @property
    def EXPORT_XLSX_WRITER(self):
        """Which writer makes XLSX exports: "streaming" (ours, a column at a time) or "openpyxl". Default "streaming".

        Both write the same cells and layout; "openpyxl" is the slower reference,
        kept to fall back on. The system check ``leadwizard.E003`` reports any other value.
        """
        return self._get("EXPORT_XLSX_WRITER", "streaming")

    @property
    def EXPORT_PREPARED_ROWS(self):
        """Whether CSV exports on PostgreSQL copy each lead's fields written ahead (``PreparedExportRow``). Default True.

        A lead's fields are written once per export language, by the task that a
        CSV export queues for the leads it had to write itself, and by
        ``manage.py prepare_lead_exports``; any change to a lead deletes them.
        False: every export writes every lead, and nothing is written ahead.
        """
        return self._get("EXPORT_PREPARED_ROWS", True)

    @property
    def EXPORT_EXPIRY_HOURS(self):
        """Hours a background export's file is kept. Default 24."""
        return self._get("EXPORT_EXPIRY_HOURS", 24)

    # Privacy -------------------------------------------------------------------------

    @property
    def RETENTION_DAYS(self):
        """``purge_leads`` anonymises (or deletes) leads older than this. Default 730."""
        return self._get("RETENTION_DAYS", 730)

    # The reader's wizard ---------------------------------------------------------------

    @property
    def TRUSTED_PROXIES(self):
        """Proxies whose X-Forwarded-For the rate limits believe: addresses, networks, "unix". Default none."""
        return self._get("TRUSTED_PROXIES", [])

    @property
    def STEP_RATE_LIMIT(self):
        """(steps, seconds): wizard steps one address may send per window. Default (600, 600).

        Generous: an office or a mobile carrier puts many readers behind one address.
        """
        return self._get("STEP_RATE_LIMIT", (600, 600))

    @property
    def SUBMIT_RATE_LIMIT(self):
        """(submits, seconds): final submits one reader's address may send per window. Default (5, 3600)."""
        return self._get("SUBMIT_RATE_LIMIT", (5, 3600))

    @property
    def MIN_SECONDS(self):
        """A wizard finished faster than this after the first answer is marked as suspected spam. Default 5."""
        return self._get("MIN_SECONDS", 5)

    @property
    def TOKEN_MAX_AGE(self):
        """Seconds a reader's wizard state stays valid between two steps. Default two days."""
        return self._get("TOKEN_MAX_AGE", int(timedelta(days=2).total_seconds()))

    @property
    def DONE_MAX_AGE(self):
        """Seconds the confirmation and longlist links of a finished wizard stay valid. Default 30 days."""
        return self._get("DONE_MAX_AGE", int(timedelta(days=30).total_seconds()))

    @property
    def QUESTION_MARKUP_ENTRIES(self):
        """Questions nobody has answered yet whose markup each process keeps (``wizard.markup``). Default 512; 0: none.

        Their markup depends only on the question, its field and the language, and
        rendering the questions was most of rendering the wizard.
        """
        return self._get("QUESTION_MARKUP_ENTRIES", 512)

    @property
    def QUESTIONNAIRE_LOCAL_SECONDS(self):
        """Seconds each process reuses a wizard's questionnaire it loaded, instead of reading it again. Default 0.

        Loading it for every step and page was a tenth of a wizard step. An edit
        saved through the same process shows at once; one saved through another
        app server after at most this many seconds (a reader whose step crosses
        an edit is told that the questions changed and keeps the valid answers).
        0 reads it for every request.
        """
        return self._get("QUESTIONNAIRE_LOCAL_SECONDS", 0)

    @property
    def PAGE_LOCAL_SECONDS(self):
        """Seconds each process reuses a wizard's page it read for a step, instead of reading it again. Default 0.

        Each step and each reader's place read the live page, body and all: the
        largest part of the database's work in a wizard. Publishing, unpublishing,
        moving or deleting a page, a view restriction or a questionnaire saved
        through the same process shows at once; through another app server after
        at most this many seconds. 0 reads it for every request.
        """
        return self._get("PAGE_LOCAL_SECONDS", 0)

    # Matching ------------------------------------------------------------------------

    @property
    def MATCH_WEIGHTS(self):
        """Weights by criterion key that replace the defaults of ``criteria.py``; 0 switches one off."""
        return self._get("MATCH_WEIGHTS", {})

    @property
    def CRITERIA(self):
        """Dotted path of a callable returning the matching criteria. Default: ``criteria.default_criteria``."""
        return self._get("CRITERIA", "leadwizard.criteria.default_criteria")

    @property
    def QUESTION_KINDS(self):
        """Dotted paths of the kinds of question the questionnaire editor offers (``question_kinds.py``)."""
        return self._get(
            "QUESTION_KINDS",
            [
                "leadwizard.question_kinds.SingleChoice",
                "leadwizard.question_kinds.MultipleChoice",
                "leadwizard.question_kinds.WholeNumber",
                "leadwizard.question_kinds.YesNo",
                "leadwizard.question_kinds.OneOfSeveral",
            ],
        )

    @property
    def SHORTLIST_SIZE(self):
        """How many vendors a consultant's shortlist holds at most; as many best matches are preselected. Default 7."""
        return self._get("SHORTLIST_SIZE", 7)

    @property
    def DUPLICATE_WINDOW_HOURS(self):
        """A request from an e-mail address that sent one this many hours before is marked a likely duplicate
        (both are kept). Default 72; 0 switches the marking off."""
        return self._get("DUPLICATE_WINDOW_HOURS", 72)

    @property
    def ROUND_ROBIN(self):
        """Usernames of the consultants who get new leads in turn; empty (the default): nobody is assigned.

        Users in the list who may not work leads are skipped; suspected spam is never assigned.
        """
        return self._get("ROUND_ROBIN", [])

    @property
    def RESULTS_MAX_AGE(self):
        """Seconds the results link in a reader's e-mails stays valid. Default 180 days."""
        return self._get("RESULTS_MAX_AGE", 180 * 24 * 3600)

    @property
    def RANKING_EXPLANATION_URL(self):
        """The published explanation of the ranking that the reader's results page links to. Default: none.

        A URL or a site-relative path, e.g. the page that holds the ranking explanation block.
        """
        return self._get("RANKING_EXPLANATION_URL", "")

    @property
    def TOP_MATCHES(self):
        """How many of the best matches exports, webhooks and the sales mail carry. Default 7.

        Every match is stored on the lead; this only limits those copies.
        """
        return self._get("TOP_MATCHES", 7)


app_settings = AppSettings()


def documented_settings():
    """The names of every setting above, with the prefix: what docs/settings.md must describe."""
    return sorted(
        PREFIX + name
        for name, value in vars(AppSettings).items()
        if isinstance(value, property) and not name.startswith("_")
    )
