"""Promises about where a matter is and what a court did: a firm's nationality is no forum,
an English court order is a decision, a firm a UPC injunction is against is its defendant."""

from __future__ import annotations

import pytest

from core.types import ItemKind
from tagger import Tagger
from tagger._parties import find_parties
from tagger.reconcile import reconcile_tags


def _final(tagger: Tagger, text: str, language: str = "en") -> tuple[ItemKind | None, list[str]]:
    """The kind and jurisdictions a user sees for a bare text (``iprwatch tag``)."""
    tags = reconcile_tags(tagger.tag(text, language), text)
    return tags.kind, tags.jurisdictions


@pytest.mark.parametrize(
    ("text", "language", "jurisdictions"),
    [
        (
            "无锡储能电芯企业在统一专利法院被诉\n一家德国电池企业以其欧洲专利被侵犯为由，向欧洲统一"
            "专利法院杜塞尔多夫地方分庭起诉无锡示例储能电芯有限公司。",
            "zh",
            ["UPC"],
        ),
        ("一家美国公司在欧洲统一专利法院起诉无锡示例电子有限公司侵犯其专利。", "zh", ["UPC"]),
        ("美国海关扣押一家德国企业委托运输的涉嫌侵权的电动工具。", "zh", ["US"]),
        (
            "A German battery maker sued Wuxi Demo Cell Co., Ltd. at the Unified Patent Court.",
            "en",
            ["UPC"],
        ),
        (
            "A Japanese company filed a complaint in the District of Delaware against a Korean "
            "rival over a camera module patent.",
            "en",
            ["US"],
        ),
        # the place of the proceeding counts, the suing firm's country does not
        ("一家美国公司在德国起诉无锡示例机械有限公司侵犯其专利。", "zh", ["DE"]),
        (
            "An American drone maker has sued a Chinese competitor for patent infringement in "
            "Germany.",
            "en",
            ["DE"],
        ),
    ],
)
def test_a_firms_nationality_adds_no_jurisdiction_beside_a_forum(
    tagger: Tagger, text: str, language: str, jurisdictions: list[str]
) -> None:
    """The nationality in "一家德国电池企业" says where the firm is from; the case is the UPC's (or
    the US court's, or Germany's where it was brought), and an alert filtered on Germany must not
    show it as a German case."""
    assert _final(tagger, text, language)[1] == jurisdictions


def test_a_country_named_as_the_forum_still_counts_beside_a_nationality(tagger: Tagger) -> None:
    with_forum = "一家德国企业在德国法院起诉一家美国公司，涉案产品为无锡生产的电动工具。"
    assert _final(tagger, with_forum, "zh")[1] == ["DE"]
    # no forum named at all: the nationalities are all the text says, and they stay
    no_forum = "一家德国企业指控无锡示例机械有限公司侵犯其专利。"
    assert _final(tagger, no_forum, "zh")[1] == ["DE"]


@pytest.mark.parametrize(
    ("order", "complaint"),
    [
        (
            "Demo Cell AG v. Jiangsu Demo Power Co., Ltd. – provisional measures (Munich LD)\n"
            "The Munich Local Division ordered the defendant to stop selling its battery "
            "modules pending the main action. UPC_CFI_3101/2025.",
            "Demo Cell AG v. Jiangsu Demo Power Co., Ltd. – provisional measures (Munich LD)\n"
            "Demo Cell AG applied to the Munich Local Division for provisional measures against "
            "the defendant's battery modules. UPC_CFI_3101/2025.",
        ),
        (
            "Demo Pumps SE v. Wuxi Demo Pumps Co., Ltd. – provisional measures (Hamburg LD)\n"
            "The Local Division Hamburg hereby orders the defendant to cease offering the pumps. "
            "UPC_CFI_3102/2025.",
            "Wuxi Demo Pumps Co., Ltd. faces an infringement action at the Unified Patent "
            "Court\nThe claimant asks the Hamburg Local Division to order the defendant to cease "
            "offering the pumps. UPC_CFI_3102/2025.",
        ),
        (
            "Demo Optics SE v. Suzhou Demo Lens Co., Ltd. – preliminary injunction (Paris LD)\n"
            "The Court grants the application for provisional measures against the defendant's "
            "lenses. UPC_CFI_3103/2025.",
            "Demo Optics SE v. Suzhou Demo Lens Co., Ltd. – preliminary injunction (Paris LD)\n"
            "Demo Optics SE filed an application for provisional measures against the "
            "defendant's lenses. UPC_CFI_3103/2025.",
        ),
        (
            "Demo Tools GmbH v. Wuxi Demo Drill Co., Ltd. – infringement action (Düsseldorf LD)\n"
            "The defendant did not lodge a defence; decision by default. UPC_CFI_3104/2025.",
            "Demo Tools GmbH v. Wuxi Demo Drill Co., Ltd. – infringement action (Düsseldorf LD)\n"
            "The claimant alleges that the defendant's drills infringe its patent. "
            "UPC_CFI_3104/2025.",
        ),
    ],
)
def test_an_english_court_order_is_a_decision_and_the_complaint_a_dispute(
    tagger: Tagger, order: str, complaint: str
) -> None:
    """A UPC order granting or refusing measures read as a dispute (its case words,
    "provisional measures", "defendant", outweighed the court's verbs); the same case
    reported as an application or action must stay a dispute."""
    assert _final(tagger, order)[0] is ItemKind.DECISION
    assert _final(tagger, complaint)[0] is ItemKind.DISPUTE


def test_a_refused_upc_injunction_is_a_decision_too(tagger: Tagger) -> None:
    text = (
        "Demo Medical AG v. Wuxi Demo Catheter Co., Ltd. – provisional measures (Milan LD)\n"
        "The application for provisional measures is dismissed; the catheters may still be "
        "sold. UPC_CFI_3105/2025."
    )
    assert _final(tagger, text)[0] is ItemKind.DECISION


def test_the_firm_a_upc_injunction_is_against_is_its_defendant() -> None:
    """The UPC's Rules of Procedure (R.206, R.209) call it the defendant, as the English
    orders and the labels do; the firm read with no role at all. A Chinese court's
    preservation order names its 被申请人, and other courts' words are not guessed."""
    upc = [
        "统一专利法院汉堡地方分庭应德国某泵业公司申请，对无锡示例泵阀有限公司颁发临时禁令。",
        "欧洲统一专利法院米兰地方分庭应德国某医疗公司申请，裁定禁止无锡示例导管有限公司在意大利"
        "等成员国销售涉案导管。",
    ]
    for text in upc:
        enjoined = next(p for p in find_parties(text).parties if p.name.startswith("无锡"))
        assert enjoined.role == "defendant", text
    chinese_court = (
        "苏州中院裁定准许诉前行为保全申请\n法院责令被申请人昆山示例机器人有限公司立即停止销售，"
        "并对无锡示例自动化有限公司颁发禁令。"
    )
    roles = {p.name: p.role for p in find_parties(chinese_court).parties}
    assert roles["昆山示例机器人有限公司"] == "respondent"
    assert roles["无锡示例自动化有限公司"] is None


@pytest.mark.parametrize(
    "text",
    [
        "土耳其法院首次就标准必要专利发布禁令\n伊斯坦布尔知识产权法院应一家欧洲通信企业申请，禁止"
        "中国手机企业在土耳其销售涉及4G标准必要专利的产品。",
        "泰国知识产权法院判决一家中国企业侵犯某日本企业的商标权。",
        "巴西法院作出判决\n圣保罗知识产权法庭认定一家中国手机企业侵犯其专利。",
    ],
)
def test_a_foreign_court_called_an_ip_court_is_no_chinese_court(tagger: Tagger, text: str) -> None:
    """ "知识产权法院" is a strong cue for China, but Chinese reports call foreign courts by it
    too: preceded by a foreign country ("泰国"), or by a foreign city while the item names a
    foreign country's court ("土耳其法院 … 伊斯坦布尔知识产权法院"), it is that country's court, and
    an alert filtered on China must not show a Turkish case as a Chinese one."""
    assert "CN" not in _final(tagger, text, "zh")[1]


@pytest.mark.parametrize(
    "text",
    [
        "一家德国企业向北京知识产权法院起诉无锡示例机械有限公司侵犯其专利。",
        "土耳其法院此前驳回了申请\n随后，上海知识产权法院受理了该企业对无锡示例电子有限公司的起诉。",
        "杭州互联网法院审理一起涉及美国品牌的网络侵权案。",
        "最高人民法院知识产权法庭驳回美国企业的上诉。",
    ],
)
def test_a_chinese_ip_court_stays_chinese_beside_foreign_names(tagger: Tagger, text: str) -> None:
    """A Chinese place before the court name (北京, 上海, 杭州) or a Chinese institution keeps it
    a Chinese court, even when the item names a foreign firm or a foreign court elsewhere."""
    assert "CN" in _final(tagger, text, "zh")[1]


@pytest.mark.parametrize(
    "text",
    [
        "Demo Tools GmbH v. Wuxi Demo Drill Co., Ltd. – infringement action (Düsseldorf LD)",
        "Demo Pumps SE v. Wuxi Demo Pumps Co., Ltd. – provisional measures (Milan LD)",
        "The Hamburg Local Division ordered Wuxi Demo Pumps Co., Ltd. to stop selling its pumps.",
        "The claimant asked the Munich Local Division to stop a Chinese rival's battery sales.",
        "Central Division Paris revokes a battery patent asserted against a Chinese maker.",
        "The Milan Central Division heard the revocation action brought by a Chinese supplier.",
        "The Nordic-Baltic Regional Division granted provisional measures against a Chinese "
        "seller.",
    ],
)
def test_a_upc_division_named_by_its_seat_is_the_upc(tagger: Tagger, text: str) -> None:
    """ "(Düsseldorf LD)" or "the Hamburg Local Division" is a UPC division even when the item
    says "UPC" nowhere: a user following UPC cases must see it, and one filtering on Germany
    must not see it as a German national case."""
    assert _final(tagger, text)[1] == ["UPC"]


def test_a_national_court_in_a_upc_seat_city_is_still_national(tagger: Tagger) -> None:
    """Only a division makes a seat city the UPC's: "Landgericht München" stays German."""
    text = "The Landgericht München granted an injunction against a Chinese e-bike maker."
    assert _final(tagger, text)[1] == ["DE"]


@pytest.mark.parametrize(
    "text",
    [
        "Demo Lighting Inc. files patent suit against Wuxi Demo Lamps Co., Ltd.",
        "Demo Lighting Inc. filed a patent suit against Wuxi Demo Lamps Co., Ltd. over LED bulbs",
        "Demo Lighting Inc. files suit against Wuxi Demo Lamps Co., Ltd.",
    ],
)
def test_a_headline_filing_a_suit_is_a_dispute(tagger: Tagger, text: str) -> None:
    """ "files patent suit" starts a dispute; read as news, the item missed every alert rule on
    new disputes."""
    assert _final(tagger, text)[0] is ItemKind.DISPUTE
