"""Tagger throughput on synthetic ~150-word items, English and Chinese.

Usage: .venv/bin/python benchmarks/bench_tagger.py [--items 5000] [--runs 3]

Items are assembled at random from sentences in the styles of the sources (USITC notices,
court dockets, Federal Register rules, trade news), so that the tokenizer cache does not see
the same text twice. Prints items/s per language (median of the runs, after one warm-up).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tagger.pipeline import get_tagger  # noqa: E402  (after the path set-up)

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
    "lithium-ion battery cells", "solar modules", "TOPCon solar cells", "semiconductor devices",
    "IoT modules", "electric bicycles", "medical devices", "industrial robots", "LED chips",
    "smart meters", "knitted apparel", "SiC power modules", "wiring harnesses", "humanoid robots",
]
COMPANIES = ["Alpha Power Inc.", "Beta Energy Co., Ltd.", "Gamma Devices LLC", "Delta Solar GmbH",
             "Wuxi Lead Tech Co., Ltd.", "Jiangyin Precision Parts Co., Ltd.", "Omega Robotics Corp."]
CITIES = ["San Jose, CA", "Austin, Texas", "Munich, Germany", "Seoul, South Korea"]
CN_CITIES = ["Wuxi, Jiangsu", "Shenzhen, Guangdong", "Suzhou, Jiangsu", "Ningbo, Zhejiang"]
HS_CODES = ["8507.60.0020", "8541.43.0010", "8711.60.0050", "9018.90.8000"]

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
ZH_PRODUCTS = ["锂离子电池", "光伏组件", "集成电路", "医疗器械", "电动自行车", "工业机器人",
               "智能电表", "碳化硅功率模块", "服装面料", "储能系统"]
ZH_CITIES = ["江苏无锡", "江苏江阴", "广东深圳", "浙江宁波", "江苏苏州"]


def _date(rng: random.Random) -> str:
    return f"{rng.choice(['January', 'March', 'May', 'August', 'October'])} {rng.randint(1, 28)}, {rng.randint(2019, 2026)}"


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        p=rng.choice(EN_PRODUCTS), c=rng.choice(COMPANIES), c2=rng.choice(COMPANIES),
        city=rng.choice(CITIES), cn_city=rng.choice(CN_CITIES), date=_date(rng),
        yy=rng.randint(19, 26), n=rng.randint(1000, 9999), hs=rng.choice(HS_CODES),
        zp=rng.choice(ZH_PRODUCTS), zcity=rng.choice(ZH_CITIES),
        zdate=f"{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
    )


def english_item(rng: random.Random) -> str:
    """A title line and about 150 words of body."""
    title = f"USITC update on {rng.choice(EN_PRODUCTS)} ({rng.randint(1, 99999)})"
    body: list[str] = []
    while sum(len(s.split()) for s in body) < 150:
        body.append(_fill(rng.choice(EN_SENTENCES), rng))
    return title + "\n" + " ".join(body)


def chinese_item(rng: random.Random) -> str:
    """A title line and about 150 words (some 280 characters) of body."""
    title = f"{rng.choice(ZH_CITIES)}{rng.choice(ZH_PRODUCTS)}企业海外知识产权动态（{rng.randint(1, 9999)}）"
    body: list[str] = []
    while sum(len(s) for s in body) < 280:
        body.append(_fill(rng.choice(ZH_SENTENCES), rng))
    return title + "\n" + "".join(body)


def measure(texts: list[str], language: str, runs: int) -> float:
    """Median items/s over ``runs`` runs of ``tag_many``."""
    tagger = get_tagger()
    tagger.tag_many(texts[:200], [language] * 200)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        tagger.tag_many(texts, [language] * len(texts))
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20261125)
    started = time.perf_counter()
    get_tagger()
    print(f"tagger loaded in {time.perf_counter() - started:.2f} s")
    english = [english_item(rng) for _ in range(args.items)]
    chinese = [chinese_item(rng) for _ in range(args.items)]
    words = statistics.mean(len(t.split()) for t in english)
    chars = statistics.mean(len(t) for t in chinese)
    print(f"en: {args.items} items, {words:.0f} words each: {measure(english, 'en', args.runs):,.0f} items/s")
    print(f"zh: {args.items} items, {chars:.0f} characters each: {measure(chinese, 'zh', args.runs):,.0f} items/s")


if __name__ == "__main__":
    main()
