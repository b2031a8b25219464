"""Benchmark ``leadwizard.matching.match_vendors`` on large, seeded vendor catalogues.

Run from the project root:

    .venv/bin/python benchmarks/matching.py
    .venv/bin/python benchmarks/matching.py --sizes 1000 10000 --min-time 0.5
    .venv/bin/python benchmarks/matching.py --no-gc

Builds random but reproducible ``VendorProfile`` catalogues (12 industries, 9
uses, 9 integrations, 4 introduction times, employee and user ranges, markets
and yes/no features) and times one ``match_vendors`` call per answer set, the
way the wizard calls it (weights from the settings, introduction-time order
from the questionnaire). Prints median and p95 per call, microseconds per
vendor and the growth relative to 1,000 vendors, next to a bare scan of the
same vendors (a yardstick for cache effects, which make even a plain loop cost
more per item on large lists), then whether the target is met. No database is
used; the exit status is 1 when the target is missed.
"""

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.dev")

import django  # noqa: E402

django.setup()

from leadwizard.matching import VendorProfile, match_vendors  # noqa: E402

TARGET_VENDORS = 1_000
TARGET_MS = 5.0
SEED = 20240611

INDUSTRIES = (
    "handel", "handwerk", "industrie", "it", "beratung", "finanzen",
    "immobilien", "gesundheit", "logistik", "bau", "gastronomie", "oeffentlich",
)  # fmt: skip
USES = (
    "vertrieb", "marketing", "service", "projekte", "angebote",
    "kampagnen", "aussendienst", "reporting", "vertraege",
)  # fmt: skip
INTEGRATIONS = (
    "outlook", "gmail", "datev", "lexware", "sap", "shopify",
    "telefonie", "slack", "teams",
)  # fmt: skip
INTRO_TIMES = ("wochen", "monat", "quartal", "halbjahr")  # fastest first
MARKETS = ("b2b", "b2c", "both")

# Realistic shapes of a reader's answers, by matching role.
ANSWER_SETS = {
    "Handwerk, klein": {
        "industry": "handwerk",
        "employees": 8,
        "users": 3,
        "market": "b2c",
        "uses": ["angebote", "projekte"],
        "integrations": ["datev"],
        "intro_time": "wochen",
        "time_tracking": "yes",
        "german_hq": "yes",
    },
    "Handel, mittel": {
        "industry": "handel",
        "employees": 120,
        "users": 25,
        "market": "both",
        "uses": ["vertrieb", "marketing", "service", "kampagnen"],
        "integrations": ["outlook", "shopify", "lexware"],
        "intro_time": "monat",
        "multi_branch": "yes",
        "international": "no",
    },
    "IT, international": {
        "industry": "it",
        "employees": 450,
        "users": 80,
        "market": "b2b",
        "uses": ["vertrieb", "service", "reporting", "vertraege", "projekte"],
        "integrations": ["gmail", "slack", "teams", "sap"],
        "intro_time": "quartal",
        "multi_branch": "yes",
        "international": "yes",
        "german_hq": "no",
        "time_tracking": "no",
    },
    "Industrie, groß": {
        "industry": "industrie",
        "employees": 2_500,
        "users": 300,
        "market": "b2b",
        "uses": list(USES),
        "integrations": list(INTEGRATIONS),
        "intro_time": "halbjahr",
        "multi_branch": "yes",
        "international": "yes",
        "german_hq": "yes",
        "time_tracking": "yes",
    },
    "Nur Branche": {"industry": "beratung"},
}


def _range(rng, lows, factors, open_share):
    low = rng.choice(lows)
    high = None if rng.random() < open_share else low * rng.choice(factors)
    return low, high


def make_vendors(count, seed=SEED):
    """``count`` vendor profiles, the same ones for the same seed."""
    rng = random.Random(seed + count)
    vendors = []
    for number in range(count):
        # About a third are generalists (no industries = every industry).
        industries = () if rng.random() < 0.3 else rng.sample(INDUSTRIES, rng.randint(1, 4))
        employees_min, employees_max = _range(rng, (1, 1, 1, 5, 10, 20, 50, 100, 250), (10, 20, 50, 100), 0.3)
        users_min, users_max = _range(rng, (1, 1, 1, 2, 5, 10, 25), (5, 10, 50, 200), 0.35)
        vendors.append(
            VendorProfile(
                number + 1,
                f"{rng.choice(('Kunden', 'Vertriebs', 'Service', 'Sales', 'Team'))}"
                f"{rng.choice(('werk', 'profi', 'cloud', 'hub', 'desk'))} {rng.randint(1, count // 3 + 1)}",
                {
                    "industry": frozenset(industries),
                    "employees": (employees_min, employees_max),
                    "users": (users_min, users_max),
                    "uses": frozenset(rng.sample(USES, rng.randint(2, 8))),
                    "integrations": frozenset(rng.sample(INTEGRATIONS, rng.randint(1, 7))),
                    "intro_time": "" if rng.random() < 0.05 else rng.choice(INTRO_TIMES),
                    "market": rng.choices(MARKETS, weights=(5, 1, 4))[0],
                    "multi_branch": rng.random() < 0.5,
                    "international": rng.random() < 0.35,
                    "german_hq": rng.random() < 0.6,
                    "time_tracking": rng.random() < 0.3,
                },
            )
        )
    return vendors


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def time_calls(vendors, min_time, min_rounds):
    """Per-call timings (seconds) and the average number of matches.

    Calls go round-robin over the answer sets, so every set weighs the same in
    the median and p95 whatever its speed.
    """
    found = [
        len(match_vendors(answers, vendors, option_orders={"intro_time": INTRO_TIMES}))
        for answers in ANSWER_SETS.values()
    ]
    timings, rounds, started = [], 0, time.perf_counter()
    while rounds < min_rounds or time.perf_counter() - started < min_time:
        for answers in ANSWER_SETS.values():
            before = time.perf_counter()
            match_vendors(answers, vendors, option_orders={"intro_time": INTRO_TIMES})
            timings.append(time.perf_counter() - before)
        rounds += 1
    return timings, statistics.mean(found)


def scan(vendors, answers):
    """The least any matcher must do: read each vendor's attributes once. A yardstick for memory effects."""
    uses = frozenset(answers.get("uses") or ())
    kept = 0
    for vendor in vendors:
        if (vendor.industries or vendor.employees_max or vendor.users_max or vendor.intro_time) and (
            vendor.market and uses & vendor.uses or vendor.integrations
        ):
            kept += 1
    return kept


def time_scan(vendors, rounds):
    """Median seconds of ``scan`` over the answer sets."""
    timings = []
    for _ in range(rounds):
        for answers in ANSWER_SETS.values():
            before = time.perf_counter()
            scan(vendors, answers)
            timings.append(time.perf_counter() - before)
    return statistics.median(timings)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--min-time", type=float, default=2.0, help="seconds of timing per size (default 2)")
    parser.add_argument(
        "--min-rounds", type=int, default=5, help="rounds over all answer sets at least (default 5)"
    )
    parser.add_argument(
        "--no-gc", action="store_true", help="switch the cyclic garbage collector off while timing"
    )
    args = parser.parse_args(argv)
    if args.no_gc:
        gc.disable()
    sizes = sorted(set(args.sizes) | {TARGET_VENDORS})

    print(f"match_vendors benchmark · Python {platform.python_version()} · {platform.machine()} · "
          f"{len(ANSWER_SETS)} answer sets · seed {SEED} · gc {'off' if args.no_gc else 'on'}")  # fmt: skip
    header = (
        f"{'vendors':>8} {'calls':>6} {'matches':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'µs/vendor':>10} {'× 1k':>6} {'scan µs/v':>10} {'scan × 1k':>10}"
    )
    print(header)
    print("-" * len(header))

    medians, scans = {}, {}
    for size in sizes:
        vendors = make_vendors(size)
        timings, found = time_calls(vendors, args.min_time, args.min_rounds)
        timings.sort()
        medians[size] = statistics.median(timings) * 1000
        scans[size] = time_scan(vendors, args.min_rounds) * 1000
        p95 = percentile(timings, 0.95) * 1000
        print(
            f"{size:>8,} {len(timings):>6} {found:>8.0f} {medians[size]:>10.3f} {p95:>8.3f} "
            f"{medians[size] * 1000 / size:>10.2f} {medians[size] / medians[TARGET_VENDORS]:>6.1f} "
            f"{scans[size] * 1000 / size:>10.3f} {scans[size] / scans[TARGET_VENDORS]:>10.1f}"
        )

    if 10_000 in medians:
        print(
            f"Growth 10k/1k: {medians[10_000] / medians[TARGET_VENDORS]:.1f}× for 10× the vendors "
            f"(a bare attribute scan of the same vendors: {scans[10_000] / scans[TARGET_VENDORS]:.1f}×)"
        )
    met = medians[TARGET_VENDORS] < TARGET_MS
    print(f"Target under {TARGET_MS:g} ms for {TARGET_VENDORS:,} vendors (median): "
          f"{'MET' if met else 'NOT MET'} ({medians[TARGET_VENDORS]:.3f} ms)")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
