"""Vendor matching: which vendors fit a reader's answers, and how well.

``match_vendors`` is a pure, deterministic function of the answers (by matching
role), the vendor profiles and the weights. Hard criteria decide which vendors
count as found; the other answers add weighted points. Every match carries the
reasons a consultant needs to see why it ranks where it does.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings

DEFAULT_WEIGHTS = {
    "industry": 10,
    "uses": 30,
    "integrations": 20,
    "intro_time": 10,
    "multi_branch": 5,
    "international": 10,
    "german_hq": 10,
    "time_tracking": 5,
}
# Criteria that exclude a vendor when not met.
HARD_CRITERIA = ("industry", "employees", "users", "market")
YES_NO_FEATURES = ("multi_branch", "international", "german_hq", "time_tracking")


def get_weights():
    """The weights in force: defaults updated by ``LEADWIZARD_MATCH_WEIGHTS``."""
    return {**DEFAULT_WEIGHTS, **getattr(settings, "LEADWIZARD_MATCH_WEIGHTS", {})}


@dataclass(frozen=True)
class VendorProfile:
    """What matching knows about a vendor. Empty ``industries`` means: serves every industry."""

    id: int
    name: str
    industries: frozenset = frozenset()
    employees_min: int = 1
    employees_max: int | None = None
    users_min: int = 1
    users_max: int | None = None
    uses: frozenset = frozenset()
    integrations: frozenset = frozenset()
    intro_time: str = ""
    market: str = "both"
    multi_branch: bool = False
    international: bool = False
    german_hq: bool = False
    time_tracking: bool = False


@dataclass(frozen=True)
class Reason:
    """One criterion of one match: met or not, with the option keys concerned."""

    criterion: str
    met: bool
    keys: tuple = ()
    points: float = 0.0

    def as_dict(self):
        return {"criterion": self.criterion, "met": self.met, "keys": list(self.keys), "points": self.points}


@dataclass(frozen=True)
class Match:
    vendor: VendorProfile
    score: float
    reasons: tuple = field(default_factory=tuple)

    @property
    def met(self):
        return [reason for reason in self.reasons if reason.met]

    @property
    def unmet(self):
        return [reason for reason in self.reasons if not reason.met]

    def as_dict(self):
        return {
            "vendor_id": self.vendor.id,
            "vendor": self.vendor.name,
            "score": self.score,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


def _in_range(value, low, high):
    return value >= (low or 0) and (high is None or value <= high)


def match_vendors(
    answers: Mapping,
    vendors: Iterable[VendorProfile],
    weights: Mapping | None = None,
    intro_time_order: tuple = (),
):
    """Return the vendors that pass the hard criteria, best first.

    ``answers`` maps matching roles to answers: ``industry`` (option key),
    ``employees`` and ``users`` (numbers), ``uses`` and ``integrations``
    (lists of keys), ``intro_time`` (option key, ordered fastest first by
    ``intro_time_order``), ``market`` ("b2b", "b2c" or "both"), and "yes"/"no"
    for ``multi_branch``, ``international``, ``german_hq``, ``time_tracking``.
    Missing answers are not held against a vendor.

    Scores are the points earned as a percentage of the points possible for the
    answers given (100 when nothing is weighed). Ties keep a stable order: by
    name, then id.
    """
    weights = get_weights() if weights is None else {**DEFAULT_WEIGHTS, **weights}
    industry = answers.get("industry") or None
    employees = answers.get("employees")
    users = answers.get("users")
    market = answers.get("market") or None
    uses = frozenset(answers.get("uses") or ())
    integrations = frozenset(answers.get("integrations") or ())
    intro_time = answers.get("intro_time") or None
    order = {key: position for position, key in enumerate(intro_time_order)}
    wanted_speed = order.get(intro_time)
    features = [role for role in YES_NO_FEATURES if answers.get(role) == "yes"]

    possible = 0.0
    if industry:
        possible += weights["industry"]
    if uses:
        possible += weights["uses"]
    if integrations:
        possible += weights["integrations"]
    if wanted_speed is not None:
        possible += weights["intro_time"]
    possible += sum(weights[role] for role in features)

    matches = []
    for vendor in vendors:
        reasons = []
        earned = 0.0

        # Hard criteria
        if industry:
            if vendor.industries and industry not in vendor.industries:
                continue
            # A specialist for the industry earns full points, a generalist half.
            points = weights["industry"] * (1.0 if vendor.industries else 0.5)
            earned += points
            reasons.append(Reason("industry", True, (industry,), points))
        if employees is not None:
            if not _in_range(employees, vendor.employees_min, vendor.employees_max):
                continue
            reasons.append(Reason("employees", True))
        if users is not None:
            if not _in_range(users, vendor.users_min, vendor.users_max):
                continue
            reasons.append(Reason("users", True))
        if market:
            if vendor.market != "both" and vendor.market != market:
                continue
            reasons.append(Reason("market", True, (market,)))

        # Weighted criteria
        for criterion, wanted, offered in (
            ("uses", uses, vendor.uses),
            ("integrations", integrations, vendor.integrations),
        ):
            if not wanted:
                continue
            covered = wanted & offered
            points = weights[criterion] * len(covered) / len(wanted)
            earned += points
            if covered:
                reasons.append(Reason(criterion, True, tuple(sorted(covered)), points))
            if len(covered) < len(wanted):
                reasons.append(Reason(criterion, False, tuple(sorted(wanted - covered))))
        if wanted_speed is not None:
            vendor_speed = order.get(vendor.intro_time)
            if vendor_speed is None or vendor_speed > wanted_speed + 1:
                reasons.append(Reason("intro_time", False, (vendor.intro_time,) if vendor.intro_time else ()))
            elif vendor_speed <= wanted_speed:
                earned += weights["intro_time"]
                reasons.append(Reason("intro_time", True, (vendor.intro_time,), float(weights["intro_time"])))
            else:
                points = weights["intro_time"] / 2
                earned += points
                reasons.append(Reason("intro_time", False, (vendor.intro_time,), points))
        for role in features:
            if getattr(vendor, role):
                earned += weights[role]
                reasons.append(Reason(role, True, (), float(weights[role])))
            else:
                reasons.append(Reason(role, False))

        score = round(100.0 * earned / possible, 1) if possible else 100.0
        matches.append(Match(vendor, score, tuple(reasons)))

    matches.sort(key=lambda match: (-match.score, match.vendor.name.casefold(), match.vendor.id))
    return matches


def answers_by_role(definition, answers):
    """Translate answers keyed by question key into answers keyed by matching role."""
    by_role = {}
    for question in definition.questions:
        if question.role and question.key in answers:
            by_role[question.role] = answers[question.key]
    return by_role


def intro_time_order(definition):
    """The introduction-time option keys in the questionnaire's order (fastest first)."""
    return tuple(definition.option_keys_for_role("intro_time"))
