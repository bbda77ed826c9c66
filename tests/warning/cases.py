"""A realistic profile and, per rule, an item that should raise it and a near miss that
should not. Tags are constructed here (not taken from the tagger), so the cases test the
rules, not the tagger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from core.types import ChainTag, EnterpriseProfile, ItemRecord, Party, Signal, Tags

AS_OF = date(2025, 6, 30)

PROFILE = EnterpriseProfile.model_validate(
    {
        "id": "wuxi-netlink",
        "name": {"zh": "无锡锡联网络设备有限公司", "en": "Wuxi Xilian Network Equipment Co., Ltd."},
        "aliases": ["Xilian Networks", "锡联网络", "XLNET"],
        "location": {"province": "江苏", "city": "无锡"},
        "chains": ["L1", "L4"],
        "products": [
            {
                "name": "Industrial Ethernet switches",
                "keywords": ["Ethernet switch", "IoT gateway", "交换机"],
                "hs": ["8517.62"],
            },
            {"name": "5G industrial routers", "keywords": ["5G router"], "hs": ["8517.62"]},
        ],
        "destinations": [
            {"country": "US", "export_share": 0.35},
            {"country": "DE", "export_share": 0.2},
            {"country": "VN", "export_share": 0.05},
        ],
        "ip_assets": [
            {
                "type": "trademark",
                "jurisdiction": "US",
                "number": "97000001",
                "status": "registered",
            },
            {"type": "patent", "jurisdiction": "EP", "number": "EP3900001", "status": "granted"},
            {
                "type": "patent",
                "jurisdiction": "CN",
                "number": "ZL2021100000010",
                "status": "granted",
            },
        ],
        "competitors": ["Arista Networks"],
        "watch_terms": ["network switch"],
    }
)


def item(
    title: str,
    *,
    summary: str = "",
    kind: str = "dispute",
    jurisdictions: tuple[str, ...] = ("US",),
    chains: tuple[str, ...] = ("L1",),
    ip_types: tuple[str, ...] = ("patent",),
    case_refs: tuple[str, ...] = (),
    parties: tuple[Party, ...] = (),
    signals: tuple[Signal, ...] = (),
    flags: tuple[str, ...] = (),
    item_id: str = "case:1",
) -> ItemRecord:
    """An item tagged as given."""
    return ItemRecord(
        id=item_id,
        title=title,
        summary=summary,
        published_at=datetime(2025, 6, 2, tzinfo=UTC),
        kind=kind,  # type: ignore[arg-type]
        jurisdictions=list(jurisdictions),
        tags=Tags(
            chains=[ChainTag(id=c, score=0.8, evidence=["Ethernet switches"]) for c in chains],
            kind=kind,  # type: ignore[arg-type]
            jurisdictions=list(jurisdictions),
            ip_types=list(ip_types),
            case_refs=list(case_refs),
            parties=list(parties),
            signals=list(signals),
            flags=list(flags),
        ),
    )


WUXI_PEER = Party(
    name="Wuxi Huaxin Electronics Co., Ltd.",
    role="respondent",
    chinese=True,
    province="江苏",
    city="无锡",
)
SUZHOU_PEER = Party(
    name="Suzhou Kelian Communication Co., Ltd.",
    role="defendant",
    chinese=True,
    province="江苏",
    city="苏州",
)
SHENZHEN_PEER = Party(
    name="Shenzhen Kelian Communication Co., Ltd.",
    role="defendant",
    chinese=True,
    province="广东",
    city="深圳",
)
INST = Signal(type="institution", date=date(2025, 6, 1))

# rule id -> (fires, near miss)
CASES: dict[str, tuple[ItemRecord, ItemRecord]] = {
    "itc337_in_market_chain": (
        item(
            "Certain Industrial Ethernet Switches; Institution of Investigation",
            summary="The Commission instituted Investigation No. 337-TA-1450.",
            case_refs=("337-TA-1450",),
            signals=(INST,),
        ),
        item(
            "Certain Lithium-Ion Battery Cells; Institution of Investigation",
            summary="The Commission instituted Investigation No. 337-TA-1451.",
            case_refs=("337-TA-1451",),
            chains=("A5",),
        ),
    ),
    "itc337_hs_codes": (
        item(
            "Certain Network Equipment; Notice of Institution",
            summary="Section 337 investigation; the products are classified under HTSUS 8517.62.0020.",
            chains=(),
        ),
        item(
            "Certain Battery Packs; Notice of Institution",
            summary="Section 337 investigation; the products are classified under HTSUS 8507.60.0020.",
            chains=(),
        ),
    ),
    "exclusion_order_in_chain": (
        item(
            "Commission issues limited exclusion order on IoT gateways",
            kind="decision",
            signals=(Signal(type="exclusion_order", date=date(2025, 5, 20)),),
        ),
        item(
            "Commission issues limited exclusion order on battery packs",
            kind="decision",
            chains=("A5",),
            signals=(Signal(type="exclusion_order", date=date(2025, 5, 20)),),
        ),
    ),
    "dispute_in_market_chain": (
        item("Acme Networks v. Example Corp., E.D. Tex. patent suit over Ethernet switches"),
        item(
            "Acme v. Example, Tokyo District Court patent suit over Ethernet switches",
            jurisdictions=("JP",),
        ),
    ),
    "schedule_a_products": (
        item(
            "Acme Corp. v. The Partnerships and Unincorporated Associations Identified on Schedule A",
            summary="Plaintiff alleges sellers offer infringing Ethernet switch products; TRO granted.",
            chains=(),
            signals=(Signal(type="tro", date=date(2025, 6, 3)),),
        ),
        item(
            "Acme Corp. v. The Partnerships and Unincorporated Associations Identified on Schedule A",
            summary="Plaintiff alleges sellers offer infringing hair clippers; TRO granted.",
            chains=(),
        ),
    ),
    "upc_injunction_in_chain": (
        item(
            "UPC Munich Local Division grants preliminary injunction over IoT gateways",
            jurisdictions=("UPC",),
            signals=(Signal(type="preliminary_injunction", date=date(2025, 6, 2)),),
        ),
        item(
            "UPC Munich Local Division grants preliminary injunction over sequencers",
            jurisdictions=("UPC",),
            chains=("L3",),
        ),
    ),
    "upc_action_in_chain": (
        item(
            "UPC Central Division decides revocation action on an Ethernet switch patent",
            kind="decision",
            jurisdictions=("UPC",),
        ),
        item(
            "UPC judges meet Ethernet switch makers at a conference",
            kind="news",
            jurisdictions=("UPC",),
        ),
    ),
    "german_injunction_in_chain": (
        item(
            "Landgericht München I grants injunction against network switch importer",
            jurisdictions=("DE",),
        ),
        item(
            "Landgericht München I grants injunction against sequencing kit importer",
            jurisdictions=("DE",),
            chains=("L3",),
        ),
    ),
    "trade_fair_injunction": (
        item(
            "Hannover Messe: exhibitor's IoT gateways seized under a preliminary injunction",
            jurisdictions=("DE",),
        ),
        item(
            "Hannover Messe: exhibitors show new IoT gateways",
            kind="news",
            jurisdictions=("DE",),
        ),
    ),
    "customs_action_in_market_chain": (
        item(
            "CBP seized counterfeit network switches at Los Angeles",
            kind="enforcement",
            ip_types=("trademark",),
        ),
        item(
            "Japan Customs seized counterfeit network switches at Narita",
            kind="enforcement",
            jurisdictions=("JP",),
            ip_types=("trademark",),
        ),
    ),
    "peer_respondent_wuxi": (
        item("Acme v. Wuxi Huaxin Electronics: patent suit over gateways", parties=(WUXI_PEER,)),
        item(
            "Acme v. Shenzhen Kelian Communication: patent suit over gateways",
            parties=(SHENZHEN_PEER,),
        ),
    ),
    "peer_respondent_jiangsu": (
        item(
            "Acme v. Suzhou Kelian Communication: patent suit over gateways", parties=(SUZHOU_PEER,)
        ),
        item("Acme v. Wuxi Huaxin Electronics: patent suit over gateways", parties=(WUXI_PEER,)),
    ),
    "sep_activity_in_standards": (
        item(
            "Ericsson sues router maker over 5G standard-essential patents",
            summary="The complaint says the defendant refused a FRAND licence for 5G NR.",
            chains=(),
            ip_types=("patent", "sep"),
        ),
        item(
            "Pool sues TV maker over HEVC standard-essential patents",
            summary="The complaint says the defendant refused a FRAND licence for H.265.",
            chains=(),
            ip_types=("patent", "sep"),
        ),
    ),
    "named_party_337": (
        item(
            "Certain Routers; Institution of Investigation",
            summary="Investigation No. 337-TA-1460; respondents include Xilian Networks Inc.",
            chains=(),
            case_refs=("337-TA-1460",),
            parties=(Party(name="Xilian Networks Inc.", role="respondent"),),
        ),
        item(
            "Certain Power Tools; Institution of Investigation",
            summary="Investigation No. 337-TA-1461; respondents include Xilin Power Tools Co.",
            chains=(),
            case_refs=("337-TA-1461",),
            parties=(Party(name="Xilin Power Tools Co.", role="respondent"),),
        ),
    ),
    "named_party_dispute": (
        item(
            "Acme v. Wuxi Xilian Network Equipment Co. Ltd, D. Del.",
            chains=(),
            parties=(Party(name="Wuxi Xilian Network Equipment Co Ltd", role="defendant"),),
        ),
        item(
            "Acme v. Wuxi Xinlian Textile Co., Ltd., D. Del.",
            chains=(),
            parties=(Party(name="Wuxi Xinlian Textile Co., Ltd.", role="defendant"),),
        ),
    ),
    "named_party_trademark": (
        item(
            "Trademark suit over counterfeit XLNET routers",
            chains=(),
            ip_types=("trademark",),
        ),
        item(
            "Trademark suit over counterfeit XLNETWORK routers",
            chains=(),
            ip_types=("trademark",),
        ),
    ),
    "competitor_in_dispute": (
        item(
            "Arista Networks sues rival over switch patents",
            parties=(Party(name="Arista Networks, Inc.", role="plaintiff"),),
        ),
        item(
            "Juniper Networks sues rival over switch patents",
            parties=(Party(name="Juniper Networks, Inc.", role="plaintiff"),),
        ),
    ),
    "watch_term_in_item": (
        item("Jury verdict on a network switch patent in Texas", chains=()),
        item("Jury verdict on a network switch patent in Tokyo", chains=(), jurisdictions=("JP",)),
    ),
    "tm_squatting_own_brand": (
        item(
            "Bad-faith registration of XLNET mark in Vietnam",
            kind="news",
            jurisdictions=("VN",),
            ip_types=("trademark",),
            chains=(),
        ),
        item(
            "Bad-faith registration of a famous cola mark in Vietnam",
            kind="news",
            jurisdictions=("VN",),
            ip_types=("trademark",),
            chains=(),
        ),
    ),
    "tm_squatting_unprotected_market": (
        item(
            "Chinese router brands squatted in Vietnam: 抢注 wave",
            kind="news",
            jurisdictions=("VN",),
            ip_types=("trademark",),
        ),
        item(
            "Chinese router brands squatted in the US",
            kind="news",
            jurisdictions=("US",),
            ip_types=("trademark",),
        ),
    ),
    "rule_change_holds_rights": (
        item(
            "USPTO changes trademark maintenance fees; final rule",
            kind="rule_change",
            ip_types=("trademark",),
            chains=(),
        ),
        item(
            "JPO changes trademark fees",
            kind="rule_change",
            jurisdictions=("JP",),
            ip_types=("trademark",),
            chains=(),
        ),
    ),
    "rule_change_lacks_rights": (
        item(
            "Vietnam amends patent examination rules for telecom equipment",
            kind="rule_change",
            jurisdictions=("VN",),
        ),
        item(
            "Germany amends patent procedure for telecom equipment",
            kind="rule_change",
            jurisdictions=("DE",),
        ),
    ),
    "portfolio_gap_patent": (
        item("Patent suit over IoT gateways in Texas"),
        item("Patent suit over IoT gateways in Düsseldorf", jurisdictions=("DE",)),
    ),
    "portfolio_gap_trademark": (
        item(
            "Trademark suit over gateway branding in Germany",
            jurisdictions=("DE",),
            ip_types=("trademark",),
        ),
        item(
            "Trademark suit over gateway branding in the US",
            jurisdictions=("US",),
            ip_types=("trademark",),
        ),
    ),
}


def variant_profiles() -> list[EnterpriseProfile]:
    """Profiles that differ from PROFILE in one way each, for index-versus-naive checks."""
    base: dict[str, Any] = PROFILE.model_dump(mode="json")
    out = [PROFILE]
    edits: list[dict[str, Any]] = [
        {"id": "no-us", "destinations": [{"country": "DE", "export_share": 0.5}]},
        {"id": "eu-only", "destinations": [{"country": "FR"}, {"country": "NL"}], "ip_assets": []},
        {"id": "other-chain", "chains": ["A5"], "competitors": ["Arista Networks"]},
        {"id": "no-names", "aliases": [], "name": {"en": "Nanjing Other Co."}, "competitors": []},
        {"id": "vn-holder", "ip_assets": [{"type": "trademark", "jurisdiction": "VN"}]},
        {
            "id": "lapsed",
            "ip_assets": [{"type": "trademark", "jurisdiction": "US", "status": "lapsed"}],
        },
        {"id": "hs-only", "chains": [], "products": [{"name": "routers", "hs": ["8517"]}]},
        {"id": "wipo-wo", "ip_assets": [{"type": "patent", "jurisdiction": "WO"}]},
        {"id": "cn-zh", "name": {"zh": "锡联网络科技有限公司"}, "aliases": []},
    ]
    for edit in edits:
        out.append(EnterpriseProfile.model_validate({**base, **edit}))
    return out
