"""Matching benchmark: items against 10,000 and 100,000 synthetic profiles, on one core.

Profiles are built from the taxonomy (chains, their product terms and HS codes), with
synthetic company names, aliases, competitors, destinations and rights. Items are a realistic
mix of kinds written from templates over the same terms (some name a profile's company, a
competitor, an HS code or a standard) and are tagged by the real tagger before timing. The
timed work is ``warning.engine.evaluate_item``: candidate generation plus rule evaluation.
The naive baseline (``evaluate_naive``: every rule on every profile) runs on a few items of
the same run. Writes ``benchmarks/results_match.json``.

    python -m benchmarks.bench_match [--items 1500] [--sizes 10000 100000] [--naive-items 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core.types import EnterpriseProfile, ItemRecord
from tagger.pipeline import get_tagger
from tagger.taxonomy import load_taxonomy
from warning import rules as rules_module
from warning.engine import evaluate_item, evaluate_naive
from warning.matching import ProfileIndex
from warning.rules import load_rules

OUT = Path(__file__).resolve().parent / "results_match.json"
AS_OF = date(2025, 6, 30)
SYLLABLES = [
    "xin",
    "lian",
    "hua",
    "tai",
    "kang",
    "rui",
    "da",
    "feng",
    "yuan",
    "chang",
    "hong",
    "sheng",
    "jia",
    "an",
    "bo",
    "tong",
    "neng",
    "wei",
    "li",
    "hui",
    "ke",
    "ding",
    "long",
    "xiang",
    "yu",
    "cheng",
    "guang",
    "hao",
    "jin",
    "ming",
    "qi",
    "tian",
]
SECTORS = ["Electronics", "Technology", "Machinery", "Materials", "Medical", "Energy", "Auto Parts"]
CITIES = ["Wuxi", "Wuxi", "Jiangyin", "Yixing", "Suzhou", "Changzhou", "Nanjing", "Shenzhen"]
MARKETS = [
    "US",
    "US",
    "US",
    "DE",
    "DE",
    "FR",
    "NL",
    "IT",
    "GB",
    "JP",
    "KR",
    "IN",
    "VN",
    "TH",
    "BR",
    "MX",
    "AE",
]
FOREIGN = [
    f"{a} {b}"
    for a in ("Acme", "Apex", "Nordic", "Pacific", "Atlas", "Vertex", "Orion", "Summit")
    for b in ("Networks", "Devices", "Systems", "Medical", "Energy", "Robotics", "Labs", "Motors")
]
STANDARD_TERMS = ["5G", "LTE", "Wi-Fi 6", "Bluetooth", "HEVC", "NB-IoT"]


def _vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _terms(rng: random.Random, chain: Any, k: int) -> list[str]:
    pool = [*chain.products.en, *chain.keywords.en, *chain.products.zh, *chain.keywords.zh]
    return rng.sample(pool, k=min(k, len(pool)))


def build_profiles(count: int, seed: int = 1) -> list[EnterpriseProfile]:
    """``count`` profiles with about ten search terms each (names, aliases, keywords)."""
    rng = random.Random(seed)
    chains = load_taxonomy().chains
    profiles = []
    for n in range(count):
        brand = "".join(rng.sample(SYLLABLES, k=2)).capitalize() + f"{n % 97}"
        city = rng.choice(CITIES)
        own = rng.sample(chains, k=rng.choice([1, 1, 2]))
        products = [
            {"name": f"{c.name.en} products", "keywords": _terms(rng, c, 4), "hs": c.hs[:2]}
            for c in own
        ]
        if rng.random() < 0.15:
            products[0]["keywords"].append(rng.choice(STANDARD_TERMS))
        markets = list(dict.fromkeys(rng.sample(MARKETS, k=rng.randint(1, 4))))
        assets = [
            {
                "type": rng.choice(["patent", "trademark", "patent", "design"]),
                "jurisdiction": rng.choice([*markets, "CN", "CN", "EP", "EM", "WO"]),
                "status": rng.choice(["granted", "registered", "pending", "lapsed"]),
            }
            for _ in range(rng.randint(0, 6))
        ]
        profiles.append(
            EnterpriseProfile.model_validate(
                {
                    "id": f"e{n:06d}",
                    "name": {"en": f"{city} {brand} {rng.choice(SECTORS)} Co., Ltd."},
                    "aliases": [f"{brand} {rng.choice(SECTORS)}"],
                    "location": {"province": "江苏", "city": "无锡"},
                    "chains": [c.id for c in own],
                    "products": products,
                    "destinations": [
                        {"country": m, "export_share": round(rng.uniform(0.02, 0.4), 2)}
                        for m in markets
                    ],
                    "ip_assets": assets,
                    "competitors": rng.sample(FOREIGN, k=rng.randint(0, 2)),
                    "watch_terms": [],
                }
            )
        )
    return profiles


_TEMPLATES = [
    (
        "news",
        "{foreign} launches new {term} line at trade show",
        "The company presented {term} and {term2}.",
    ),
    (
        "news",
        "Market report: demand for {term} grows in {country}",
        "Analysts expect {term2} shipments to rise.",
    ),
    ("news", "{foreign} opens research centre for {term}", "It will work on {term2}."),
    (
        "rule_change",
        "{office} amends rules on {iptype} fees",
        "The final rule changes fees and time limits for {iptype} applications.",
    ),
    (
        "rule_change",
        "{office} publishes new examination guidelines for {term}",
        "Guidelines concern {iptype} applications for {term2}.",
    ),
    (
        "dispute",
        "{foreign} v. {party}: patent infringement complaint over {term}",
        "{foreign} filed a complaint in the District of Delaware alleging that {party} infringes patents on {term2}.",
    ),
    (
        "dispute",
        "Certain {term}; Institution of Investigation 337-TA-{n}",
        "The Commission instituted an investigation under section 337 based on a complaint by {foreign}. Respondents include {party}. The products are classified under HTSUS {hs}.",
    ),
    (
        "dispute",
        "{foreign} v. The Partnerships and Unincorporated Associations Identified on Schedule A",
        "Plaintiff alleges online sellers offer infringing {term}; a temporary restraining order froze their accounts.",
    ),
    (
        "decision",
        "UPC Munich Local Division grants preliminary injunction over {term}",
        "The Unified Patent Court ordered provisional measures against {party}.",
    ),
    (
        "dispute",
        "{foreign} sues over {std} standard-essential patents",
        "{foreign} says {party} refused a FRAND licence for {std} {term}.",
    ),
    (
        "enforcement",
        "CBP seizes counterfeit {term} at Los Angeles",
        "U.S. Customs and Border Protection detained shipments of {term2} infringing registered trademarks.",
    ),
    (
        "news",
        "Bad-faith registration of Chinese {term} brands in {country}",
        "Squatters filed marks resembling {party}.",
    ),
]


def build_items(count: int, profiles: list[EnterpriseProfile], seed: int = 2) -> list[ItemRecord]:
    """``count`` items from templates, tagged by the real tagger (not timed)."""
    rng = random.Random(seed)
    chains = load_taxonomy().chains
    offices = ["USPTO", "EUIPO", "JPO", "KIPO", "UKIPO", "the Indian Patent Office", "the EPO"]
    items = []
    for n in range(count):
        kind, title, summary = rng.choice(_TEMPLATES)
        chain = rng.choice(chains)
        terms = _terms(rng, chain, 2) + ["device"] * 2
        party = (
            rng.choice(profiles).names()[rng.randint(0, 1)]
            if rng.random() < 0.3
            else f"{rng.choice(SYLLABLES).capitalize()} Industrial Co., Ltd."
        )
        values = {
            "foreign": rng.choice(FOREIGN), "term": terms[0], "term2": terms[1], "party": party,
            "country": rng.choice(MARKETS), "office": rng.choice(offices), "iptype": rng.choice(["patent", "trademark", "design"]),
            "n": 1400 + n % 500, "hs": (chain.hs or ["8517.62"])[0], "std": rng.choice(STANDARD_TERMS),
        }  # fmt: skip
        items.append(
            ItemRecord(
                id=f"bench:{n}",
                title=title.format(**values),
                summary=summary.format(**values),
                published_at=datetime(2025, 6, 1, tzinfo=UTC),
                kind=kind,  # type: ignore[arg-type]
            )
        )
    tags = get_tagger().tag_many([i.text() for i in items], [i.language for i in items])
    for record, item_tags in zip(items, tags, strict=True):
        record.tags = item_tags
    return items


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_size(size: int, items: list[ItemRecord], naive_items: int) -> dict[str, Any]:
    """Build the index over ``size`` profiles and time every item, then a naive sample."""
    rules = load_rules()
    rules_module._memo.clear()
    gc.collect()
    rss_before = _vm_rss_mb()
    started = time.perf_counter()
    profiles = build_profiles(size)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = ProfileIndex.build(profiles, AS_OF)
    build_s = time.perf_counter() - started
    rss_after = _vm_rss_mb()
    for record in items[:50]:  # warm-up: the worker's rule memo fills within minutes
        evaluate_item(record, index, rules, AS_OF)
    timings, alerts = [], []
    for record in items:
        t0 = time.perf_counter()
        found = evaluate_item(record, index, rules, AS_OF)
        timings.append((time.perf_counter() - t0) * 1000)
        alerts.append(len(found))
    sample = [i for i in items if i.tags and i.tags.chains][:naive_items]
    naive, indexed_same = [], []
    for record in sample:
        t0 = time.perf_counter()
        reference = evaluate_naive(record, index, rules, AS_OF)
        naive.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        fast = evaluate_item(record, index, rules, AS_OF)
        indexed_same.append((time.perf_counter() - t0) * 1000)
        assert sorted((a.enterprise_id, a.rule_id) for a in fast) == sorted(
            (a.enterprise_id, a.rule_id) for a in reference
        )
    median = statistics.median(timings)
    quiet = [t for t, a in zip(timings, alerts, strict=True) if a == 0]
    loud = [t for t, a in zip(timings, alerts, strict=True) if a > 0]
    slope, intercept = statistics.linear_regression(alerts, timings)
    return {
        "profiles": size,
        "profile_generation_s": round(generated, 2),
        "index_build_s": round(build_s, 2),
        "rss_mb_after_index": round(rss_after, 1),
        "rss_mb_index_and_profiles": round(rss_after - rss_before, 1),
        "items": len(items),
        "median_ms_per_item": round(median, 3),
        "p95_ms_per_item": round(_percentile(timings, 0.95), 3),
        "max_ms_per_item": round(max(timings), 1),
        "mean_ms_per_item": round(statistics.fmean(timings), 3),
        "alerts_per_item_mean": round(statistics.fmean(alerts), 2),
        "alerts_per_item_median": statistics.median(alerts),
        "median_ms_items_without_alerts": round(statistics.median(quiet), 3) if quiet else None,
        "median_ms_items_with_alerts": round(statistics.median(loud), 3) if loud else None,
        "fit_ms_per_item_base": round(intercept, 3),
        "fit_ms_per_alert": round(slope, 4),
        "items_with_alerts": sum(1 for a in alerts if a),
        "naive_items": len(sample),
        "naive_median_ms_per_item": round(statistics.median(naive), 1) if naive else None,
        "indexed_median_ms_same_items": round(statistics.median(indexed_same), 3)
        if naive
        else None,
        "naive_over_indexed_same_items": round(
            statistics.median(naive) / statistics.median(indexed_same), 1
        )
        if naive
        else None,
        "naive_over_indexed_median": round(statistics.median(naive) / median, 1) if naive else None,
        "naive_same_alerts": True,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--naive-items", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    items = build_items(args.items, build_profiles(2_000, seed=9))
    kinds: dict[str, int] = {}
    for record in items:
        kind = (record.tags.kind if record.tags and record.tags.kind else record.kind).value
        kinds[kind] = kinds.get(kind, 0) + 1
    results = [
        run_size(size, items, args.naive_items if size <= 10_000 else max(1, args.naive_items // 3))
        for size in args.sizes
    ]
    report = {
        "benchmark": "bench_match",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus_used": 1,
            "loadavg_at_end": os.getloadavg(),
        },
        "rules": len(load_rules()),
        "item_kinds": kinds,
        "targets_ms": {"10000": 0.5, "100000": 2.0},
        "results": results,
        "note": "Measured on a shared 2-core machine while other work ran; naive runs on a few items only (it takes seconds per item).",
    }
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
