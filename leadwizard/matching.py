"""Vendor matching: which vendors fit a reader's answers, and how well.

``match_vendors`` is a pure, deterministic function of the answers (by matching
role), the vendor profiles, the weights and the criteria of ``criteria.py``.
Hard criteria decide which vendors count as found; the other answers add
weighted points. Every match carries the reasons a consultant needs to see why
it ranks where it does.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .criteria import Reason, default_weights, get_criteria, get_weights

__all__ = ["Match", "Reason", "VendorProfile", "answers_by_role", "match_vendors", "option_orders"]


@dataclass(frozen=True)
class VendorProfile:
    """What matching knows about a vendor: its value for each criterion, by criterion key."""

    id: int
    name: str
    values: Mapping = field(default_factory=dict)

    @classmethod
    def of(cls, vendor, criteria=None):
        """The profile of a ``Vendor``: each criterion reads its value with ``vendor_value``."""
        return cls(
            vendor.pk,
            vendor.name,
            {criterion.key: criterion.vendor_value(vendor) for criterion in criteria or get_criteria()},
        )


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


def match_vendors(
    answers: Mapping,
    vendors: Iterable[VendorProfile],
    weights: Mapping | None = None,
    option_orders: Mapping | None = None,
    criteria=None,
):
    """Return the vendors that pass the hard criteria, best first.

    ``answers`` maps criterion keys (matching roles) to answers: option keys,
    lists of them, numbers, or "yes"/"no". ``option_orders`` gives the order of
    the options of ordered criteria (the introduction time, fastest first), as
    ``option_orders(definition)`` reads it from the questionnaire. Missing
    answers are not held against a vendor.

    Scores are the points earned as a percentage of the points possible for the
    answers given (100 when nothing is weighed). Ties keep a stable order: by
    name, then id.
    """
    criteria = criteria or get_criteria()
    weights = get_weights(criteria) if weights is None else {**default_weights(criteria), **weights}
    orders = option_orders or {}
    asked = [
        (criterion, answers.get(criterion.key), weights.get(criterion.key, 0), orders.get(criterion.key, ()))
        for criterion in criteria
    ]
    possible = float(
        sum(weight for criterion, answer, weight, order in asked if criterion.kind.weighs(answer, order))
    )

    matches = []
    for vendor in vendors:
        earned = 0.0
        reasons = []
        for criterion, answer, weight, order in asked:
            outcome = criterion.kind.evaluate(
                criterion.key, answer, vendor.values.get(criterion.key), weight, order
            )
            if outcome.excluded:
                break
            earned += outcome.points
            reasons.extend(outcome.reasons)
        else:
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


def option_orders(definition, criteria=None):
    """For each ordered criterion, the option keys of its question in the questionnaire's order."""
    return {
        criterion.key: tuple(definition.option_keys_for_role(criterion.key))
        for criterion in criteria or get_criteria()
        if criterion.kind.ordered
    }
