"""Tagger throughput on synthetic ~150-word items, English and Chinese.

Usage: .venv/bin/python benchmarks/bench_tagger.py [--items 5000] [--runs 3] [--processes 2]

Items are assembled at random: about one sentence in three in the styles of the sources
(USITC notices, court dockets, Federal Register rules, trade news: parties, dates, case
numbers, tariff codes), the rest ordinary business-news sentences, as real items mix them.
``--dense`` uses only source-style sentences (the worst case). Prints items/s per language
(median of the runs, after a warm-up) by wall clock and by CPU time for: ``spacy.blank(lang)``'s
tokenizer alone and the tagger pipeline's own tokenizer alone (the bounds), ``tag_many`` in
one process, and a ``TaggerPool`` of ``--processes`` workers (CPU time of this process and the
workers together), and the ratio of the tagger's rate to the blank tokenizer's. Writes the
figures, the load average and a machine description to benchmarks/results_tagger.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy

from tagger._pool import TaggerPool
from tagger.pipeline import get_tagger

RESULTS = Path(__file__).resolve().parent / "results_tagger.json"

EN_SENTENCES = [
    "The U.S. International Trade Commission has voted to institute an investigation of certain {p}.",
    "The investigation is based on a complaint filed by {c} of {city}, on {date}.",
    "The complaint alleges violations of section 337 of the Tariff Act of 1930 in the importation "
    "into the United States and sale of certain {p} that infringe patents asserted by the complainant.",
    "The USITC has identified the following as respondents: {c} of {cn_city}, China; and {c2} of {city}.",
    "On {date}, the court granted a temporary restraining order freezing the sellers' accounts.",
    "Plaintiff {c} filed suit in the Northern District of Illinois, Case No. 1:{yy}-cv-0{n}, "
    "alleging trademark infringement and counterfeiting by online sellers.",
    "The USPTO published a final rule amending the rules of practice for patent cases, effective {date}.",
    "Analysts said demand for {p} in Europe and Southeast Asia kept growing despite new tariffs.",
    "The Munich Local Division of the Unified Patent Court heard arguments on {date} in a dispute over {p}.",
    "Exporters in {cn_city} reported that customs in Germany detained shipments of {p} on {date}.",
    "The company said it would appeal the decision to the Federal Circuit and continue to supply customers.",
    "Imports classified under HTS {hs} rose by {n} percent in the first half of the year.",
    "Industry groups asked the agency to clarify how the guidance applies to small and medium enterprises.",
    "The patent covers a method of manufacturing {p} with improved yield and lower cost.",
]
EN_PRODUCTS = [
    "lithium-ion battery cells",
    "solar modules",
    "TOPCon solar cells",
    "semiconductor devices",
    "IoT modules",
    "electric bicycles",
    "medical devices",
    "industrial robots",
    "LED chips",
    "smart meters",
    "knitted apparel",
    "SiC power modules",
    "wiring harnesses",
    "humanoid robots",
]
COMPANIES = [
    "Alpha Power Inc.",
    "Beta Energy Co., Ltd.",
    "Gamma Devices LLC",
    "Delta Solar GmbH",
    "Wuxi Lead Tech Co., Ltd.",
    "Jiangyin Precision Parts Co., Ltd.",
    "Omega Robotics Corp.",
]
CITIES = ["San Jose, CA", "Austin, Texas", "Munich, Germany", "Seoul, South Korea"]
CN_CITIES = ["Wuxi, Jiangsu", "Shenzhen, Guangdong", "Suzhou, Jiangsu", "Ningbo, Zhejiang"]
HS_CODES = ["8507.60.0020", "8541.43.0010", "8711.60.0050", "9018.90.8000"]

EN_FILLER = [
    "Shares of the company rose {n2} percent in early trading after the announcement.",
    "The firm employs about {n} people and operates plants in three provinces.",
    "Executives said the new factory would start production next year.",
    "Exports to Europe slowed in the second quarter as demand weakened.",
    "The association plans to hold a training session for member companies next month.",
    "Industry analysts expect prices to stabilise as new capacity comes online.",
    "The company did not respond to a request for comment on Tuesday.",
    "Local officials welcomed the investment and promised faster approvals.",
    "Revenue for the year reached {n} million yuan, up from the year before.",
    "Several buyers have asked suppliers for more documentation on product origin.",
    "The report recommends that smaller firms review their contracts with distributors.",
    "A spokesperson said the company respects intellectual property and will defend itself.",
]
ZH_FILLER = [
    "该公司今年一季度营业收入同比增长{n2}%，净利润保持稳定。",
    "业内人士认为，随着新产能投产，产品价格有望逐步企稳。",
    "市政府表示将继续优化营商环境，支持企业拓展海外市场。",
    "公司负责人表示，企业始终尊重知识产权，将依法维护自身合法权益。",
    "据了解，该企业在省内拥有三个生产基地，员工约{n}人。",
    "行业协会计划下月举办培训班，帮助会员企业了解目标市场规则。",
    "分析人士指出，下半年外需可能继续承压，企业需提前做好准备。",
    "该项目总投资约{n}万元，预计明年建成投产。",
]
ZH_SENTENCES = [
    "美国国际贸易委员会于{zdate}对{zcity}企业生产的{zp}发起337调查。",
    "申请人请求发布有限排除令和禁止令，涉案产品包括{zp}及其组件。",
    "被申请人为{zcity}某科技有限公司，该公司表示将积极应诉。",
    "据海关统计，今年上半年{zcity}出口{zp}同比增长{n}%，主要市场为欧盟、东盟和美国。",
    "欧洲统一专利法院慕尼黑地方分庭于{zdate}就{zp}专利纠纷作出临时禁令。",
    "国家知识产权局发布新修订的专利审查指南，自{zdate}起施行。",
    "业内人士提醒，跨境电商卖家应关注商标抢注和外观设计侵权风险，提前进行海外布局。",
    "原告在美国伊利诺伊州北区法院提起诉讼，法院随即发布临时限制令，冻结多家店铺资金。",
    "{zcity}市商务局组织企业参加海外知识产权纠纷应对培训，涉及{zp}等重点产业链。",
    "专家指出，企业应加强专利布局，完善商业秘密保护制度，降低出口风险。",
]
ZH_PRODUCTS = [
    "锂离子电池",
    "光伏组件",
    "集成电路",
    "医疗器械",
    "电动自行车",
    "工业机器人",
    "智能电表",
    "碳化硅功率模块",
    "服装面料",
    "储能系统",
]
ZH_CITIES = ["江苏无锡", "江苏江阴", "广东深圳", "浙江宁波", "江苏苏州"]


def _date(rng: random.Random) -> str:
    return f"{rng.choice(['January', 'March', 'May', 'August', 'October'])} {rng.randint(1, 28)}, {rng.randint(2019, 2026)}"


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        p=rng.choice(EN_PRODUCTS),
        c=rng.choice(COMPANIES),
        c2=rng.choice(COMPANIES),
        city=rng.choice(CITIES),
        cn_city=rng.choice(CN_CITIES),
        date=_date(rng),
        yy=rng.randint(19, 26),
        n=rng.randint(1000, 9999),
        n2=rng.randint(2, 30),
        hs=rng.choice(HS_CODES),
        zp=rng.choice(ZH_PRODUCTS),
        zcity=rng.choice(ZH_CITIES),
        zdate=f"{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
    )


def _pick(rng: random.Random, sources: list[str], filler: list[str], dense: bool) -> str:
    pool = sources if dense or rng.random() < 1 / 3 else filler
    return _fill(rng.choice(pool), rng)


def english_item(rng: random.Random, dense: bool = False) -> str:
    """A title line and about 150 words of body."""
    title = f"USITC update on {rng.choice(EN_PRODUCTS)} ({rng.randint(1, 99999)})"
    body: list[str] = []
    while sum(len(s.split()) for s in body) < 150:
        body.append(_pick(rng, EN_SENTENCES, EN_FILLER, dense))
    return title + "\n" + " ".join(body)


def chinese_item(rng: random.Random, dense: bool = False) -> str:
    """A title line and about 150 words (some 260 characters) of body."""
    title = f"{rng.choice(ZH_CITIES)}{rng.choice(ZH_PRODUCTS)}企业海外知识产权动态（{rng.randint(1, 9999)}）"
    body: list[str] = []
    while sum(len(s) for s in body) < 260:
        body.append(_pick(rng, ZH_SENTENCES, ZH_FILLER, dense))
    return title + "\n" + "".join(body)


def _cpu_of(pids: list[int]) -> float:
    """User plus system CPU seconds of running processes (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def measure_tokenizer(
    texts: list[str], runs: int, nlp: spacy.language.Language
) -> dict[str, float]:
    """A bound: a spaCy tokenizer alone over the same texts (its cache warm from a first
    pass)."""
    tokenize = nlp.tokenizer
    for text in texts[:200]:
        tokenize(text)
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        for text in texts:
            tokenize(text)
        wall.append(_rate(len(texts), time.perf_counter() - started))
        cpu.append(_rate(len(texts), time.process_time() - cpu_started))
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}


def _rule_tokenizer(language: str) -> spacy.language.Language:
    nlp = spacy.blank(language)
    nlp.tokenizer.rules = {}  # type: ignore[union-attr]
    return nlp


def tokenizer_bounds(language: str) -> dict[str, spacy.language.Language]:
    """The tokenizers to compare with: ``spacy.blank(lang)`` as shipped (rule tokenizer with
    exceptions for English, one token per character for Chinese); for English also without
    its exceptions (which "Inc." and "U.S." send down a slow path); and the tokenizer of the
    tagger's own pipeline."""
    bounds = {"tokenizer_blank": spacy.blank(language)}
    if language == "en":
        bounds["tokenizer_rules"] = _rule_tokenizer(language)
    bounds["tokenizer_pipeline"] = get_tagger()._pipelines["zh" if language == "zh" else "en"].nlp
    return bounds


def measure_single(texts: list[str], language: str, runs: int) -> dict[str, float]:
    """``tag_many`` in this process: median items/s over ``runs`` runs by the wall clock and
    by this process's CPU time (the machine is shared: CPU time is the steadier figure)."""
    tagger = get_tagger()
    languages = [language] * len(texts)
    wall, cpu, cpu_seconds = [], [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        tagger.tag_many(texts, languages)
        used = time.process_time() - cpu_started
        wall.append(_rate(len(texts), time.perf_counter() - started))
        cpu.append(_rate(len(texts), used))
        cpu_seconds.append(used)
    return {
        "wall": statistics.median(wall),
        "cpu": statistics.median(cpu),
        "cpu_seconds": statistics.median(cpu_seconds),
    }


def measure_pool(
    pool: TaggerPool, pids: list[int], texts: list[str], language: str, runs: int
) -> dict[str, float]:
    """``TaggerPool.tag_many`` (JSON-ready dicts back): items/s by the wall clock and per CPU
    second of this process and the workers together."""
    languages = [language] * len(texts)
    wall, cpu, cpu_seconds = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        cpu_started = time.process_time() + _cpu_of(pids)
        pool.tag_many(texts, languages)
        used = time.process_time() + _cpu_of(pids) - cpu_started
        wall.append(_rate(len(texts), time.perf_counter() - started))
        cpu.append(_rate(len(texts), used))
        cpu_seconds.append(used)
    return {
        "wall": statistics.median(wall),
        "cpu": statistics.median(cpu),
        "cpu_seconds": statistics.median(cpu_seconds),
    }


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--dense", action="store_true", help="source-style sentences only")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args()
    rng = random.Random(20261125)
    started = time.perf_counter()
    get_tagger()
    print(f"tagger loaded in {time.perf_counter() - started:.2f} s")
    corpora = {
        "en": [english_item(rng, args.dense) for _ in range(args.items)],
        "zh": [chinese_item(rng, args.dense) for _ in range(args.items)],
    }
    warm_up = {
        "en": [english_item(rng, args.dense) for _ in range(200)],
        "zh": [chinese_item(rng, args.dense) for _ in range(200)],
    }
    sizes = {
        "en": f"{statistics.mean(len(t.split()) for t in corpora['en']):.0f} words",
        "zh": f"{statistics.mean(len(t) for t in corpora['zh']):.0f} characters",
    }
    results: dict[str, object] = {
        "machine": machine(),
        "items": args.items,
        "runs": args.runs,
        "dense": args.dense,
        "processes": args.processes,
        "sizes": sizes,
    }
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for language, texts in corpora.items():
        get_tagger().tag_many(warm_up[language], [language] * 200)
        figures[language] = {"single": measure_single(texts, language, args.runs)}
        for name, nlp in tokenizer_bounds(language).items():
            figures[language][name] = measure_tokenizer(texts, args.runs, nlp)
    started = time.perf_counter()
    with TaggerPool(args.processes) as pool:
        pool.tag_many(warm_up["en"] + warm_up["zh"])  # starts the workers and loads them
        results["pool_start_seconds"] = round(time.perf_counter() - started, 2)
        pids = list(pool.worker_pids())
        for language, texts in corpora.items():
            figures[language]["pool"] = measure_pool(pool, pids, texts, language, args.runs)
    results["figures"] = figures
    results["ratios_to_tokenizer"] = {
        language: {
            f"{path}/{bound}": round(rows[path]["wall"] / rows[bound]["wall"], 3)
            for path in ("single", "pool")
            for bound in ("tokenizer_blank", "tokenizer_rules")
            if bound in rows
        }
        for language, rows in figures.items()
    }
    print(f"pool of {args.processes} started in {results['pool_start_seconds']} s")
    print(f"{'':4} {'path':<24} {'items/s wall':>13} {'items/CPU-s':>12} {'CPU us/item':>12}")
    for language, rows in figures.items():
        print(f"{language} ({args.items} items of {sizes[language]})")
        for name, label in (
            ("tokenizer_blank", f"spacy.blank({language!r}) tokenizer"),
            ("tokenizer_rules", "  ... without exceptions"),
            ("tokenizer_pipeline", "pipeline tokenizer"),
            ("single", "single process"),
            ("pool", f"{args.processes}-process pool"),
        ):
            if name not in rows:
                continue
            row = rows[name]
            per_item = f"{1e6 / row['cpu']:12.0f}"
            print(f"{'':4} {label:<24} {row['wall']:>13,.0f} {row['cpu']:>12,.0f} {per_item}")
        print(f"{'':4} tagger / tokenizer (wall): {results['ratios_to_tokenizer'][language]}")
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
