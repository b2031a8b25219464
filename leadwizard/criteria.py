"""The matching criteria, in one table: everything the wizard knows about a criterion is said here once.

Each ``Criterion`` names its key (the matching role a question is given in the
questionnaire editor, stored in every match reason), its label, how it compares
an answer with a vendor (its ``kind``), which vendor attribute it reads, whether
it excludes vendors (``hard``), its default weight, and what readers are told
about it. Matching (``matching.py``), the role choices of questions
(``blocks.py``), the vendor editor's option fields and their validation
(``admin/forms.py``, ``models.Vendor.clean``), the ranking explanation
(``wizard/explanation.py``) and the lead page's reasons read this table.

A site replaces or extends it with ``LEADWIZARD_CRITERIA`` (a dotted path to a
callable returning the list); docs/extending.md shows how.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .conf import app_settings

YES = "yes"


@dataclass(frozen=True)
class Reason:
    """One criterion of one match: met or not, with the option keys concerned and the points earned."""

    criterion: str
    met: bool
    keys: tuple = ()
    points: float = 0.0

    def as_dict(self):
        return {"criterion": self.criterion, "met": self.met, "keys": list(self.keys), "points": self.points}


@dataclass
class Outcome:
    """What a criterion makes of one vendor: excluded, or points earned and the reasons shown."""

    excluded: bool = False
    points: float = 0.0
    reasons: list = field(default_factory=list)


# Kinds: how an answer is compared with a vendor's value -----------------------------------------


class Kind:
    """How a criterion compares. ``weighs(answer, order)``: whether the answer adds to the points possible."""

    #: "many" when the vendor attribute holds a list of option keys, "one" for a single key, "" for none.
    vendor_keys = ""
    #: Whether the options' order in the questionnaire matters (fastest first, smallest first, ...).
    ordered = False

    def weighs(self, answer, order):
        return False

    def evaluate(self, key, answer, offered, weight, order):
        raise NotImplementedError


class OptionFilter(Kind):
    """One option chosen; vendors list the options they serve (none listed: all of them).

    Vendors serving other options only are excluded; a specialist for the chosen
    option earns the full weight, a vendor for every option half of it.
    """

    vendor_keys = "many"

    def weighs(self, answer, order):
        return bool(answer)

    def evaluate(self, key, answer, offered, weight, order):
        if not answer:
            return Outcome()
        if offered and answer not in offered:
            return Outcome(excluded=True)
        points = weight * (1.0 if offered else 0.5)
        return Outcome(points=points, reasons=[Reason(key, True, (answer,), points)])


class Range(Kind):
    """A number that must lie within the vendor's (minimum, maximum); no maximum means no limit."""

    def evaluate(self, key, answer, offered, weight, order):
        if answer is None:
            return Outcome()
        low, high = offered
        if answer < (low or 0) or (high is not None and answer > high):
            return Outcome(excluded=True)
        return Outcome(reasons=[Reason(key, True)])


class Choice(Kind):
    """One option that the vendor's value must equal, unless the vendor serves "both"."""

    def evaluate(self, key, answer, offered, weight, order):
        if not answer:
            return Outcome()
        if offered != "both" and offered != answer:
            return Outcome(excluded=True)
        return Outcome(reasons=[Reason(key, True, (answer,))])


class Coverage(Kind):
    """Several options wanted; points in proportion to how many the vendor offers."""

    vendor_keys = "many"

    def weighs(self, answer, order):
        return bool(answer)

    def evaluate(self, key, answer, offered, weight, order):
        wanted = frozenset(answer or ())
        if not wanted:
            return Outcome()
        covered = wanted & offered
        points = weight * len(covered) / len(wanted)
        reasons = []
        if covered:
            reasons.append(Reason(key, True, tuple(sorted(covered)), points))
        if len(covered) < len(wanted):
            reasons.append(Reason(key, False, tuple(sorted(wanted - covered))))
        return Outcome(points=points, reasons=reasons)


class Speed(Kind):
    """An ordered option (fastest first): full points when the vendor is as fast, half when one step slower."""

    vendor_keys = "one"
    ordered = True

    def weighs(self, answer, order):
        return answer in order

    def evaluate(self, key, answer, offered, weight, order):
        positions = {option: position for position, option in enumerate(order)}
        wanted = positions.get(answer)
        if wanted is None:
            return Outcome()
        keys = (offered,) if offered else ()
        speed = positions.get(offered)
        if speed is None or speed > wanted + 1:
            return Outcome(reasons=[Reason(key, False, keys)])
        if speed <= wanted:
            return Outcome(points=weight, reasons=[Reason(key, True, keys, float(weight))])
        return Outcome(points=weight / 2, reasons=[Reason(key, False, keys, weight / 2)])


class Feature(Kind):
    """A yes/no need: when the reader says yes, the vendor earns the weight if it has the feature."""

    def weighs(self, answer, order):
        return answer == YES

    def evaluate(self, key, answer, offered, weight, order):
        if answer != YES:
            return Outcome()
        if offered:
            return Outcome(points=weight, reasons=[Reason(key, True, (), float(weight))])
        return Outcome(reasons=[Reason(key, False)])


# The table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One matching criterion. ``vendor_value(vendor)`` reads it from a ``Vendor``; ``vendor_field`` is edited."""

    key: str
    label: str
    kind: Kind
    vendor_value: object  # callable: Vendor -> the value the kind compares with
    vendor_field: str = ""  # the Vendor field holding option keys, for the editor and validation
    hard: bool = False
    weight: int = 0
    exclusion_text: str = ""  # readers: when a vendor is left out
    weight_text: str = ""  # readers: how the points are earned

    @property
    def weighted(self):
        return not isinstance(self.kind, (Range, Choice))


def _keys(name):
    return lambda vendor: frozenset(getattr(vendor, name) or ())


def _attribute(name):
    return lambda vendor: getattr(vendor, name)


def _range(low, high):
    return lambda vendor: (getattr(vendor, low), getattr(vendor, high))


def default_criteria():
    """The criteria of the CRM selection, in the order reasons are listed."""
    return [
        Criterion(
            "industry",
            _("Industry"),
            OptionFilter(),
            _keys("industries"),
            vendor_field="industries",
            hard=True,
            weight=10,
            exclusion_text=_(
                "Vendors that serve only other industries are left out; vendors for every industry stay in."
            ),
            weight_text=_(
                "Specialists for your industry earn the full points, vendors for every industry half of them."
            ),
        ),
        Criterion(
            "employees",
            _("Number of employees"),
            Range(),
            _range("employees_min", "employees_max"),
            hard=True,
            exclusion_text=_("The vendor must serve companies with as many employees as yours."),
        ),
        Criterion(
            "users",
            _("Number of CRM users"),
            Range(),
            _range("users_min", "users_max"),
            hard=True,
            exclusion_text=_("The vendor must be suitable for as many CRM users as you need."),
        ),
        Criterion(
            "market",
            _("B2B / B2C"),
            Choice(),
            _attribute("market"),
            hard=True,
            exclusion_text=_(
                "Vendors made only for business customers (B2B) or only for consumers (B2C) are left out "
                "unless that is your market."
            ),
        ),
        Criterion(
            "uses",
            _("Main uses"),
            Coverage(),
            _keys("uses"),
            vendor_field="uses",
            weight=30,
            weight_text=_("In proportion to how many of the main uses you chose the vendor supports."),
        ),
        Criterion(
            "integrations",
            _("Integrations"),
            Coverage(),
            _keys("integrations"),
            vendor_field="integrations",
            weight=20,
            weight_text=_("In proportion to how many of the integrations you chose the vendor offers."),
        ),
        Criterion(
            "intro_time",
            _("Time for the introduction"),
            Speed(),
            _attribute("intro_time"),
            vendor_field="intro_time",
            weight=10,
            weight_text=_(
                "Full points when the typical introduction is as quick as you want, half when it takes one "
                "step longer."
            ),
        ),
        Criterion(
            "multi_branch",
            _("Several branches"),
            Feature(),
            _attribute("multi_branch"),
            weight=5,
            weight_text=_("When you need it: the vendor supports several branches."),
        ),
        Criterion(
            "international",
            _("International"),
            Feature(),
            lambda vendor: len(vendor.languages or ()) > 1 and len(vendor.currencies or ()) > 1,
            weight=10,
            weight_text=_("When you need it: the vendor offers several languages and currencies."),
        ),
        Criterion(
            "german_hq",
            _("Headquarters or hosting in Germany"),
            Feature(),
            lambda vendor: vendor.german_headquarters or vendor.hosting == "de",
            weight=10,
            weight_text=_("When you want it: the vendor has its headquarters or hosting in Germany."),
        ),
        Criterion(
            "time_tracking",
            _("Time tracking"),
            Feature(),
            _attribute("time_tracking"),
            weight=5,
            weight_text=_("When you need it: the vendor includes time tracking."),
        ),
    ]


@lru_cache(maxsize=4)
def _load(path):
    return tuple(import_string(path)())


def get_criteria():
    """The criteria in force: ``LEADWIZARD_CRITERIA``'s list, read when asked."""
    return _load(app_settings.CRITERIA)


def criterion_for(key, criteria=None):
    return next((criterion for criterion in criteria or get_criteria() if criterion.key == key), None)


def default_weights(criteria=None):
    """The table's weights by key (criteria that weigh nothing included, with 0)."""
    return {criterion.key: criterion.weight for criterion in criteria or get_criteria() if criterion.weighted}


def get_weights(criteria=None):
    """The weights in force: the table's, updated by ``LEADWIZARD_MATCH_WEIGHTS``."""
    return {**default_weights(criteria), **app_settings.MATCH_WEIGHTS}


def role_choices():
    """The "Use for matching" choices of a question in the questionnaire editor."""
    return [
        ("", _("Not used for matching")),
        *((criterion.key, criterion.label) for criterion in get_criteria()),
    ]


def labels():
    """Criterion labels by key, for reasons shown to consultants."""
    return {criterion.key: criterion.label for criterion in get_criteria()}
