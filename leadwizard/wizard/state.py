"""The reader's place in the wizard, carried between steps as a signed token.

State between steps travels in the form as a signed token (Django signing), so
no session and no database row exist before the final submit; app servers stay
stateless. A token names the page, block and questionnaire it belongs to and a
hash of the questionnaire's structure, so a token from elsewhere or from before
an editor changed the questions is not applied.
"""

import hashlib
from dataclasses import asdict, dataclass, field

from django.core import signing

from ..conf import app_settings

STATE_SALT = "leadwizard.state"
DONE_SALT = "leadwizard.done"


def structure_version(definition):
    """A short hash of the questionnaire's keys: tokens from before a structural change are outdated."""
    return hashlib.sha256(repr(definition.key_structure()).encode()).hexdigest()[:12]


@dataclass
class State:
    """Where a reader is in the wizard and what they answered so far."""

    questionnaire: str
    page: int
    block: str
    version: str
    step: int = 0
    answers: dict = field(default_factory=dict)
    started: float | None = None
    # The submission key; set when the reader starts, since the first step's
    # token is part of the page and cached pages share it between readers.
    key: str = ""
    landing: str = ""
    referrer: str = ""
    counted_start: bool = False

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
        if not isinstance(state.answers, dict) or not isinstance(state.step, int):
            raise signing.BadSignature("unexpected state")
        return state
