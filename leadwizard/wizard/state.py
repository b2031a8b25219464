"""The reader's place in the wizard: a signed token in the form and in the address bar, and its latest answers.

Why a token: no session and no database row exist before the final submit, so
app servers stay stateless and readers without cookies can answer too. Every
step is posted, then redirected to a plain GET whose address holds the token
(post/redirect/get), so Back, Forward and reload land on a real page of the
reader's own history, never on a "resubmit the form?" warning.

Why the latest answers live in the cache as well: Back in the browser returns to
an older address, whose token holds the answers as they were then. The newest
answers are kept under the reader's random submission key, so an older address
shows the older step with everything answered since. When the cache has lost
them, the token's own answers are used.

Tokens carry answers, never contact details: those are typed on the last step
and only kept (briefly, in the cache, see ``kept_contact``) when the form had
errors.
"""

import hashlib
import logging
import secrets
from dataclasses import asdict, dataclass, field

from django.core import signing
from django.core.cache import cache

from ..conf import app_settings

logger = logging.getLogger(__name__)

STATE_SALT = "leadwizard.state"
DONE_SALT = "leadwizard.done"
# Contact input kept after errors on the last step: long enough to fix a typo after a break.
KEPT_CONTACT_SECONDS = 3600


def structure_version(definition):
    """A short hash of the questionnaire's keys: tells whether answers must be checked against an edit."""
    return hashlib.sha256(repr(definition.key_structure()).encode()).hexdigest()[:12]


@dataclass
class State:
    """Where a reader is in the wizard and what they answered so far."""

    questionnaire: str
    page: int
    block: str
    version: str
    # The step's key, or "contact"; empty for the first step shown.
    place: str = ""
    answers: dict = field(default_factory=dict)
    started: float | None = None
    # The submission key; set when the reader starts, since the first step's
    # token is part of the page and cached pages share it between readers.
    key: str = ""
    landing: str = ""
    referrer: str = ""
    # The day the reader started (ISO): the funnel counts a reader's steps on it.
    cohort: str = ""
    # Steps already counted for this reader: reached, and left with answers.
    reached: list = field(default_factory=list)
    answered: list = field(default_factory=list)
    # What the reader posted on the current step but could not be stored yet
    # (errors, or a rate limit): shown again, never lost.
    pending: dict = field(default_factory=dict)
    show_errors: bool = False
    # Sent back by an edit of the questionnaire: after each answer, on to the next question
    # that needs one, then back to the contact step.
    repairing: bool = False
    blocked_until: float = 0
    # A one-off name of contact input kept in the cache after errors (not the input itself).
    contact_ref: str = ""
    notice: str = ""
    revision: int = 0

    def dumps(self):
        return signing.dumps(asdict(self), salt=STATE_SALT, compress=True)

    @classmethod
    def loads(cls, token):
        data = signing.loads(token, salt=STATE_SALT, max_age=app_settings.TOKEN_MAX_AGE)
        if not isinstance(data, dict):
            raise signing.BadSignature("not a state")
        try:
            state = cls(**data)
        except TypeError as exc:
            raise signing.BadSignature("unexpected state") from exc
        if not all(
            isinstance(value, kind)
            for value, kind in (
                (state.answers, dict),
                (state.pending, dict),
                (state.reached, list),
                (state.answered, list),
                (state.place, str),
                (state.key, str),
                (state.revision, int),
            )
        ):
            raise signing.BadSignature("unexpected state")
        return state

    # The newest answers of this reader --------------------------------------------------

    def _progress_key(self):
        return f"leadwizard:progress:{self.key}"

    def remember(self):
        """Keep the answers as the reader's newest, for addresses of earlier steps (Back)."""
        if not self.key:
            return
        self.revision += 1
        try:
            cache.set(
                self._progress_key(),
                {
                    "revision": self.revision,
                    "answers": self.answers,
                    "reached": self.reached,
                    "answered": self.answered,
                },
                timeout=app_settings.TOKEN_MAX_AGE,
            )
        except Exception:  # the token still holds the answers; the cache only adds the newest
            logger.warning("Could not keep a reader's wizard progress in the cache.", exc_info=True)

    def catch_up(self):
        """Take the reader's newest answers when this token is from an earlier step."""
        if not self.key:
            return
        try:
            newest = cache.get(self._progress_key())
        except Exception:
            logger.warning("Could not read a reader's wizard progress from the cache.", exc_info=True)
            return
        if not isinstance(newest, dict) or newest.get("revision", 0) <= self.revision:
            return
        self.revision = newest["revision"]
        self.answers = dict(newest.get("answers") or {})
        self.reached = list(newest.get("reached") or [])
        self.answered = list(newest.get("answered") or [])

    # Contact input after errors -------------------------------------------------------

    def keep_contact(self, data, owner):
        """Keep the posted contact input for the page that shows its errors; its name goes into the token."""
        self.contact_ref = secrets.token_urlsafe(12)
        try:
            cache.set(self._contact_key(), {"owner": owner, "data": data}, timeout=KEPT_CONTACT_SECONDS)
        except Exception:
            logger.warning("Could not keep a reader's contact input in the cache.", exc_info=True)
            self.contact_ref = ""

    def kept_contact(self, owner):
        """The contact input kept by ``keep_contact``, only for the reader who typed it (``owner``)."""
        if not self.contact_ref or not self.key:
            return None
        try:
            kept = cache.get(self._contact_key())
        except Exception:
            return None
        if not isinstance(kept, dict) or kept.get("owner") != owner:
            return None
        return kept.get("data")

    def forget_contact(self):
        if self.contact_ref and self.key:
            try:
                cache.delete(self._contact_key())
            except Exception:
                logger.warning("Could not delete a reader's kept contact input.", exc_info=True)
        self.contact_ref = ""

    def _contact_key(self):
        return f"leadwizard:contact:{self.key}:{self.contact_ref}"
