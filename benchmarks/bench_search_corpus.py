"""A deterministic corpus of realistic search documents and a mixed zh/en query set.

Documents have the shape ``search.document.build_document`` produces, written directly (the
tagger is not the subject here). A third are Chinese, in the style of the MOFCOM and CNIPA
fixtures; the rest English, in the style of Federal Register 337 notices, CAFC opinions and
IP-office news. Terms come from the tagger taxonomy (chain names, keywords and products).
The corpus is cached as JSON lines under ``var/bench-cache/``.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tagger.taxonomy import load_taxonomy

CACHE = Path("var/bench-cache")
SEED = 20261206

SOURCES_EN = [
    "federal_register", "cafc_opinions", "usitc_337_news", "uspto_ptab", "courtlistener_recap",
    "eu_official_journal", "euipo_news", "upc_decisions", "ukipo_govuk", "jpo_news", "kipo_news",
    "india_cgpdtm_notices", "wipo_lex", "wipo_news",
]  # fmt: skip
SOURCES_ZH = ["mofcom_ipr", "cnipa_news"]
JURISDICTIONS = ["US", "US", "US", "US", "EU", "DE", "GB", "JP", "KR", "IN", "UPC", "WIPO", "CN"]
KINDS = ["dispute", "dispute", "decision", "rule_change", "enforcement", "report", "news"]
IP_TYPES = ["patent", "patent", "patent", "trademark", "design", "copyright", "trade_secret"]
CN_PLACES = [
    ("Shenzhen, Guangdong, China", "广东", "深圳"), ("Wuxi, Jiangsu, China", "江苏", "无锡"),
    ("Ningbo, Zhejiang, China", "浙江", "宁波"), ("广东省东莞市", "广东", "东莞"),
    ("江苏省苏州市", "江苏", "苏州"), ("Xiamen, Fujian, China", "福建", "厦门"),
]  # fmt: skip
FOREIGN = ["Apple Inc.", "Samsung Electronics Co., Ltd.", "Nokia Technologies Oy",
           "Ericsson AB", "Medtronic, Inc.", "Philips North America LLC", "Daikin Industries",
           "LG Energy Solution, Ltd.", "Broadcom Inc.", "Abbott Laboratories"]  # fmt: skip
CN_FIRMS_EN = ["{city} {noun} Technology Co., Ltd.", "{city} {noun} Electronics Co., Ltd."]
CN_FIRMS_ZH = ["{city}{noun}科技有限公司", "{city}{noun}电子股份有限公司"]
NOUNS_EN = ["Sunrise", "Huayang", "Jinghong", "Tianyu", "Xinda", "Ruilong", "Boan", "Kaiyuan"]
NOUNS_ZH = ["华阳", "晶鸿", "天宇", "信达", "瑞龙", "博安", "开元", "中科"]

EN_TITLES = [
    "Certain {product}s and Components Thereof; Institution of Investigation",
    "Certain {product}s; Notice of Commission Determination Not To Review an Initial Determination",
    "{foreign} v. {party}: complaint alleges infringement of {ip} rights in {product}s",
    "{party} v. {foreign} ({court}): claims on {keyword} held invalid",
    "{office} consults on changes to {ip} examination for {keyword}",
    "Customs seizes counterfeit {product}s; {ip} enforcement report",
]  # fmt: skip
EN_BODY = [
    "Notice is hereby given that the U.S. International Trade Commission has instituted an "
    "investigation under section 337 of the Tariff Act of 1930 based on a complaint by "
    "{foreign} alleging the importation of certain {product}s that infringe {ip} claims.",
    "The respondents named are {party} of {location} and others. The products concern "
    "{keyword} and {keyword2}; the complainant requests a general exclusion order.",
    "The court reviewed the construction of the claims directed to {keyword}. The panel "
    "affirmed in part, vacated in part and remanded for further proceedings on damages.",
    "The office invites comments by {deadline}. The change affects applicants filing for "
    "{ip} protection of {product}s and {keyword2} technologies.",
]  # fmt: skip
ZH_TITLES = [
    "美国国际贸易委员会对{product}发起337调查",
    "{foreign}起诉{party}侵犯{ip}，涉及{keyword}",
    "{office}就{keyword}领域{ip}审查规则修改征求意见",
    "海关查扣侵权{product}，{ip}执法年报发布",
    "{party}在美{ip}诉讼中胜诉，{keyword}相关权利要求被认定无效",
]  # fmt: skip
ZH_BODY = [
    "据美国联邦公报消息，美国国际贸易委员会投票决定对特定{product}及其组件发起337调查，"
    "{location}的{party}被列为被申请人，申请人请求发布普遍排除令。",
    "该案涉及{keyword}和{keyword2}相关技术，涉案{ip}共三项。提醒相关企业关注应诉期限，"
    "积极评估出口风险，做好海外知识产权布局。",
    "国家知识产权局提示：{office}近期调整{ip}审查标准，{keyword2}领域的申请人应注意新的"
    "形式要求，截止日期为{deadline}。",
]  # fmt: skip
EN_OFFICES = ["USPTO", "EUIPO", "UKIPO", "JPO", "KIPO", "CGPDTM"]
ZH_OFFICES = ["美国专利商标局", "欧盟知识产权局", "英国知识产权局", "日本特许厅", "韩国知识产权局"]
ZH_IP = {"patent": "专利权", "trademark": "商标权", "design": "外观设计专利",
         "copyright": "著作权", "trade_secret": "商业秘密"}  # fmt: skip


def _terms() -> list[dict[str, Any]]:
    """Per chain: id and its en/zh keywords and products."""
    out = []
    for chain in load_taxonomy().chains:
        data = chain.model_dump()
        out.append(
            {
                "id": chain.id,
                "en": data["keywords"]["en"] + data["products"]["en"] + [data["name"]["en"]],
                "zh": data["keywords"]["zh"] + data["products"]["zh"] + [data["name"]["zh"]],
                "products_en": data["products"]["en"] or data["keywords"]["en"],
                "products_zh": data["products"]["zh"] or data["keywords"]["zh"],
            }
        )
    return out


def _document(i: int, rng: random.Random, terms: list[dict[str, Any]]) -> dict[str, Any]:
    zh = i % 3 == 0
    chains = rng.sample(terms, rng.choice([1, 1, 1, 2]))
    lang = "zh" if zh else "en"
    ip = rng.choice(IP_TYPES)
    place, province, city = rng.choice(CN_PLACES)
    chinese = rng.random() < (0.7 if zh else 0.35)
    noun = rng.choice(NOUNS_ZH if zh else NOUNS_EN)
    firm = rng.choice(CN_FIRMS_ZH if zh else CN_FIRMS_EN).format(city=city, noun=noun)
    party = firm if chinese else rng.choice(FOREIGN)
    fill = {
        "product": rng.choice(chains[0][f"products_{lang}"]),
        "keyword": rng.choice(chains[0][lang]),
        "keyword2": rng.choice(chains[-1][lang]),
        "foreign": rng.choice(FOREIGN),
        "party": party,
        "location": place if chinese else "Seoul, Korea",
        "ip": ZH_IP[ip] if zh else ip.replace("_", " "),
        "office": rng.choice(ZH_OFFICES if zh else EN_OFFICES),
        "court": rng.choice(["Fed. Cir.", "D. Del.", "E.D. Tex.", "UPC CoA"]),
        "deadline": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }
    title = rng.choice(ZH_TITLES if zh else EN_TITLES).format(**fill)
    body_parts = rng.sample(ZH_BODY if zh else EN_BODY, rng.choice([2, 3]))
    body = ("\n\n" if not zh else "\n").join(p.format(**fill) for p in body_parts)
    summary = body_parts[0].format(**fill)[:160]
    published = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 3_000_000))
    source = rng.choice(SOURCES_ZH if zh else SOURCES_EN)
    jurisdictions = sorted({rng.choice(JURISDICTIONS) for _ in range(rng.choice([1, 1, 2]))})
    ref = f"337-TA-{rng.randint(1200, 1460)}" if rng.random() < 0.3 else None
    parties = [party, fill["foreign"]]
    return {
        "id": f"bench-{i:07d}",
        "version": 1,
        "title": title,
        "summary": summary,
        "body": body,
        "lead": summary[:300],
        "language": lang,
        "source": source,
        "url": f"https://example.org/{source}/{i}",
        "published_at": published.isoformat().replace("+00:00", "Z"),
        "month": published.strftime("%Y-%m"),
        "jurisdictions": jurisdictions,
        "chains": [c["id"] for c in chains],
        "kind": rng.choice(KINDS),
        "ip_types": [ip],
        "case_refs": [ref] if ref else [],
        "case_refs_folded": [ref.casefold()] if ref else [],
        "parties": parties,
        "party_names_folded": [p.casefold() for p in parties],
        "party_locations": [place] if chinese else [],
        "chinese_party": chinese,
        "provinces": [province] if chinese else [],
        "cities": [city] if chinese else [],
    }


def corpus(n: int) -> list[dict[str, Any]]:
    """``n`` documents (cached on disk after the first call)."""
    path = CACHE / f"corpus-{n}-{SEED}.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]
    rng = random.Random(SEED)
    terms = _terms()
    docs = [_document(i, rng, terms) for i in range(n)]
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return docs


def query_set() -> list[dict[str, Any]]:
    """Mixed zh/en queries with filters, as ``SearchQuery`` keyword arguments.

    Half English, a third Chinese, the rest filter-only browsing (date order); most carry a
    filter, as the web page's facet links do.
    """
    en = ["lithium battery", "semiconductor", "337", "patent infringement",
          "general exclusion order", "RFID", "integrated circuit", "wind turbine",
          "counterfeit", "medical device", "Apple", "claims held invalid"]  # fmt: skip
    zh = ["专利", "锂电池", "337调查", "集成电路", "排除令", "物联网", "商标权", "海关查扣",
          "被申请人", "新能源"]  # fmt: skip
    filters: list[dict[str, Any]] = [
        {}, {"jurisdictions": ["US"]}, {"jurisdictions": ["EU", "DE"]},
        {"kinds": ["dispute"]}, {"since": "2024-01-01", "until": "2024-12-31"},
        {"chinese_party": True}, {"jurisdictions": ["US"], "ip_types": ["patent"]},
    ]  # fmt: skip
    queries: list[dict[str, Any]] = []
    for i, text in enumerate(en + zh):
        queries.append({"q": text, **filters[i % len(filters)]})
    for i, extra in enumerate(filters):
        queries.append({**extra, "sort": "date", **({"province": "广东"} if i == 3 else {})})
    queries.append({"q": "battery", "jurisdictions": ["US"], "sort": "date"})
    queries.append({"q": "专利", "chains": ["L1"], "sort": "date"})
    return queries
