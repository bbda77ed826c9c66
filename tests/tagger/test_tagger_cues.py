"""Promises of the shared cue scan: it answers exactly as substring searches would, and the
party readers built on it read each name once."""

from __future__ import annotations

import pytest

from tagger._cues import cue_words, scan_cues
from tagger._parties import find_parties

_EXACT = cue_words("Respondent", " v ", "337", "国际贸易委员会")
_ANY_CASE = cue_words("trade mark", "infring", any_case=True)


def _substring_positions(text: str, word: str) -> list[int]:
    found, position = [], text.find(word)
    while position >= 0:
        found.append(position)
        position = text.find(word, position + len(word))
    return found


@pytest.mark.parametrize(
    "text",
    [
        "Respondent X Co. v Y Inc. v Z LLC; respondent W (not this one)",
        "Mehmet v v Ali: TRADE MARK infringement, İnfringing goods, Trade\tmark",
        "美国国际贸易委员会对特定产品发起337调查, 3370 RESPONDENT",
        "",
    ],
)
def test_cue_scan_answers_as_substring_search(text: str) -> None:
    cues = scan_cues(text)
    for word in ("Respondent", " v ", "337", "国际贸易委员会"):
        assert cues.positions(cue_words(word)) == _substring_positions(text, word)
    assert cues.mentions(_EXACT) == any(
        w in text for w in ("Respondent", " v ", "337", "国际贸易委员会")
    )
    lowered = text.lower()
    assert cues.mentions(_ANY_CASE) == any(w in lowered for w in ("trade mark", "infring"))


def test_plaintiff_named_after_a_sentence_is_one_party() -> None:
    text = (
        "Shares rose on March 3, 2020. Plaintiff Wuxi Lead Tech Co., Ltd. filed suit in the "
        "Northern District of Illinois, Case No. 1:24-cv-01234, alleging trademark "
        "infringement and counterfeiting by online sellers."
    )
    parties = find_parties(text).parties
    assert [(p.name, p.role) for p in parties] == [("Wuxi Lead Tech Co., Ltd.", "plaintiff")]


def test_respondent_list_joined_by_and_gives_no_merged_name() -> None:
    text = (
        "The USITC has identified the following as respondents: Changzhou Fengxing Vehicle "
        "Co., Ltd. of Changzhou, Jiangsu, China and Fengxing USA LLC of Ontario, CA. The "
        "complaint alleges patent infringement."
    )
    names = [p.name for p in find_parties(text).parties]
    assert names == ["Changzhou Fengxing Vehicle Co., Ltd.", "Fengxing USA LLC"]
