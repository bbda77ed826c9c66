"""English news: who sued whom as the prose says it, a court named right before a firm, and a
court throwing out a suit (a decision about a dispute, not a new one)."""

from __future__ import annotations

from core.types import ItemKind, Party
from tagger import Tagger
from tagger._parties import find_parties
from tagger.reconcile import reconcile_tags

ACME = "Acme Widgets Inc."
BETA = "Beta Parts Ltd."
WUXI = "Wuxi Demo Battery Co., Ltd."


def _roles(text: str) -> dict[str, str | None]:
    return {party.name: party.role for party in find_parties(text).parties}


def _final(tagger: Tagger, text: str) -> tuple[ItemKind | None, list[str], list[Party]]:
    tags = reconcile_tags(tagger.tag(text, "en"), text)
    return tags.kind, tags.jurisdictions, tags.parties


# --- roles stated in prose ------------------------------------------------------------------


def test_the_firm_that_sues_is_the_plaintiff_and_the_one_sued_the_defendant() -> None:
    court = {ACME: "plaintiff", BETA: "defendant"}
    texts = [
        f"{ACME} sued {BETA} in the Eastern District of Texas\n{ACME} alleges that {BETA} "
        "infringes five patents on wireless charging pads.",
        f"{ACME} files patent infringement suit against {BETA}",
        f"{ACME} filed a patent infringement suit against {BETA} in Delaware over LED drivers.",
        f"{ACME} has sued rival {BETA} for patent infringement.",
        f"{BETA} was sued by {ACME} over LED patents",
        f"{BETA} sued in the Western District of Texas by {ACME} over patents",
        f"{ACME} accuses {BETA} of infringing its patents",
        f"The court dismissed {ACME}'s patent suit against {BETA}.",
    ]
    for text in texts:
        assert _roles(text) == court, text
    # the firm it sued is not named as a company: the one suing still says what it did
    for text in [
        f"{ACME} sues over wireless charging patents",
        f"{ACME} sued the Wuxi exporter in 2024 over two patents",
        f"{ACME} has sued a Chinese battery maker for patent infringement",
    ]:
        assert _roles(text) == {ACME: "plaintiff"}, text


def test_at_the_usitc_the_firm_filing_is_the_complainant() -> None:
    text = (
        f"{ACME} has filed a complaint against {WUXI} with the USITC\n"
        "The complaint asks the US International Trade Commission to open a section 337 "
        "investigation and bar imports of the lithium battery packs."
    )
    assert _roles(text) == {ACME: "complainant", WUXI: "respondent"}
    with_forum_between = (
        f"{ACME} filed a complaint with the U.S. International Trade Commission against "
        f"{WUXI}, alleging that its battery packs infringe three patents."
    )
    assert _roles(with_forum_between) == {ACME: "complainant", WUXI: "respondent"}


def test_at_the_upc_the_courts_own_role_words_are_used() -> None:
    text = (
        f"Demo Cell AG filed an infringement action against {WUXI} at the Munich Local "
        "Division of the Unified Patent Court."
    )
    assert _roles(text) == {"Demo Cell AG": "claimant", WUXI: "defendant"}


def test_firms_named_together_share_their_side() -> None:
    gamma, delta = "Gamma Tools Co., Ltd.", "Delta Motion LLC"
    both_sued = f"{ACME} sued {BETA} and {gamma} in the Eastern District of Texas over patents"
    assert _roles(both_sued) == {ACME: "plaintiff", BETA: "defendant", gamma: "defendant"}
    both_suing = f"{ACME} and {delta} sued {BETA} for patent infringement"
    assert _roles(both_suing) == {ACME: "plaintiff", delta: "plaintiff", BETA: "defendant"}


def test_a_case_against_a_firm_makes_it_the_defendant_whatever_became_of_the_case() -> None:
    # "X sued" alone is headline English for "X was sued": no firm suing is named, no role
    # is stated for anyone but X, and the active reading would make X the plaintiff
    assert _roles(f"{WUXI} sued in Texas over battery patents") == {WUXI: None}
    assert _roles(f"{WUXI} sued over battery patents") == {WUXI: None}
    assert _roles(f"Patent suit against {WUXI} dismissed") == {WUXI: "defendant"}
    assert _roles(f"Judge throws out lawsuit against {WUXI}") == {WUXI: "defendant"}
    assert _roles(f"{WUXI} was sued in Texas over battery patents") == {WUXI: "defendant"}


def test_firms_named_without_a_stated_role_keep_none() -> None:
    texts = [
        f"{ACME} and {BETA} settle patent dispute",
        f"{BETA} files motion to dismiss patent case against it, {ACME} says",
        f"Customs took action against {BETA} over counterfeit sneakers, {ACME} says",
        f"{ACME} accuses {BETA} in patent row",
    ]
    for text in texts:
        assert set(_roles(text).values()) == {None}, text
    # ... while the same firms in a stated suit get roles (this test fails without the reader)
    assert _roles(f"{ACME} sued {BETA} over patents") == {ACME: "plaintiff", BETA: "defendant"}


def test_a_caption_role_stands_over_the_prose_of_the_suit_that_started_it() -> None:
    text = (
        f"{ACME} sued {BETA} in 2019 over a gearbox patent; {BETA} appealed.\n"
        f"{ACME} v. {BETA}, Appeal Number 2024-1187"
    )
    assert _roles(text) == {ACME: "appellant", BETA: "appellee"}
    assert _roles(f"{ACME} sued {BETA} in 2019 over a gearbox patent") == {
        ACME: "plaintiff",
        BETA: "defendant",
    }


# --- a court named right before a firm ------------------------------------------------------


def test_a_court_named_before_a_firm_is_the_forum_not_part_of_its_name(tagger: Tagger) -> None:
    huawei, netgear = "Huawei Technologies Co., Ltd.", "Netgear Inc."
    cases = {
        f"Munich Regional Court {huawei} wins SEP injunction against {netgear}": [huawei, netgear],
        f"The Düsseldorf Regional Court ZTE Corporation patent case against {netgear} is "
        "set for trial": ["ZTE Corporation", netgear],
        f"Munich Regional Court {huawei} v. {netgear}: injunction over a Wi-Fi 6 patent": [
            huawei,
            netgear,
        ],
    }
    for text, names in cases.items():
        _, jurisdictions, parties = _final(tagger, text)
        assert [party.name for party in parties] == names, text
        assert jurisdictions == ["DE"], text
    upc = "Mannheim LD Demo Telecom Oy v. Sample Mobile Co., Ltd. – infringement action"
    _, jurisdictions, parties = _final(tagger, upc)
    assert [(p.name, p.role) for p in parties] == [
        ("Demo Telecom Oy", "claimant"),
        ("Sample Mobile Co., Ltd.", "defendant"),
    ], "the UPC's role words, its division named without brackets"
    assert jurisdictions == ["UPC"]


def test_a_firm_whose_own_name_holds_court_keeps_it() -> None:
    assert _roles(f"Crown Court Holdings Ltd. files patent suit against {BETA}") == {
        "Crown Court Holdings Ltd.": "plaintiff",
        BETA: "defendant",
    }
    assert list(_roles(f"Regional Court {BETA} ruling on patents")) == [BETA]


# --- a court ruling on a suit ---------------------------------------------------------------


def test_a_court_throwing_out_or_ruling_on_a_suit_is_a_decision(tagger: Tagger) -> None:
    heads = [
        f"Court dismisses patent suit against {WUXI}\nA federal judge in Texas dismissed a "
        f"patent infringement suit against {WUXI} over its battery packs.",
        f"Judge throws out lawsuit against {WUXI} over battery patents",
        f"Judge Gilstrap tosses $20 million patent verdict against {BETA}",
        f"Patent suit against {WUXI} dismissed",
        "Appeals court reverses patent ruling against Chinese drone maker",
        f"Appeals court revives patent suit against {WUXI}",
        f"Federal Circuit affirms ruling that {BETA} infringed LED patents",
    ]
    for text in heads:
        assert _final(tagger, text)[0] is ItemKind.DECISION, text


def test_asking_a_court_to_throw_out_a_suit_is_still_a_dispute(tagger: Tagger) -> None:
    heads = [
        f"{BETA} moves to have patent suit dismissed",
        f"{BETA} asks judge to toss patent suit filed by {ACME}",
        f"{BETA} says lawsuit against it should be dismissed",
        f"{ACME} files patent suit against {BETA}",
    ]
    for text in heads:
        assert _final(tagger, text)[0] is ItemKind.DISPUTE, text
    # ... and the suit filed by the other firm names who brought it
    assert _roles(heads[1]) == {BETA: None, ACME: "plaintiff"}
