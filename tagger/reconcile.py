"""The final tags of an item: what the text says, reconciled with what the crawler knew.

The pipeline reads only the text. An item also carries the crawler's ``kind`` and
``jurisdictions`` (from structured data: Federal Register document types, GOV.UK document
types, JPO categories, USITC release verbs, PTAB statuses, or the source's own country).
``reconcile_tags`` merges them, so that ``Tags.kind`` and ``Tags.jurisdictions`` are final,
and fills what needs the whole text: ``flags`` and ``capped``.

Kind, in order of precedence:

1. The form of the head, which says what the item reports while the body describes the
   case: a head announcing a report or statistics ("…统计分析报告发布", "study finds") is a
   ``report``; a head saying a court, judge or office ruled ("无锡中院判决…", "court cancels …",
   "grants preliminary injunction", "judge throws out lawsuit", "patent suit against X
   dismissed"), a lead in the words of an English order ("the Hamburg
   Local Division ordered", "grants the application for provisional measures", "decision by
   default"), or an item that is the order itself ("Order of the Munich LD"), is a
   ``decision``; a PTAB trial "Trial Instituted" or "Pending" is a
   ``dispute``, not a decision. These only correct a dispute, enforcement or news reading
   (the crawler's, else the text's) and never touch a rule change or a report.
2. A crawler kind other than ``news``. Crawlers set such kinds from lookups of structured
   fields or because the source publishes only one kind (court opinions, UPC decisions,
   dockets, law databases); a text cue ("dispute" in "纠纷应对指导工作的通知") is weaker
   evidence than either.
3. Otherwise (``news`` is what general sources default to) an office notice whose head
   speaks of fees, consultations, guidelines, practice notices, examination programmes or
   treaties is a ``rule_change``; a head that publishes a named rule text ("发布《…指引》")
   is a ``rule_change``; a Chinese office notice ("关于…的通知") about anything else is
   ``news``, whatever dispute words it holds.
4. Then the text's kind cues (``Tags.kind`` as the pipeline chose it).
5. With no cue at all: a ``dispute`` when the text holds a district-court docket number,
   else ``news``, what every source is by default. Only untagged items (no usable text)
   keep no kind.

Jurisdictions: the crawler's come first, then the text's (UPC before the host country of a
local division is the text reader's job). When the crawler gave none, the text's stand.

Flags (``Tags.flags``):

- ``schedule_a``: a Schedule A complaint ("… Partnerships and Unincorporated Associations
  Identified on Schedule A"): many sellers, sealed list, ex parte asset freezes.
- ``chinese_party``: a party is Chinese (mainland, Hong Kong or Macao).
- ``jiangsu_party`` / ``wuxi_party``: a party is stated to be in Jiangsu / in the Wuxi
  municipality (its districts and the county-level cities Jiangyin and Yixing count).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.types import ItemKind, Tags
from tagger._assemble import HEAD_CHARS, head_end
from tagger._text import MAX_CHARS, clean_text

__all__ = ["FLAGS", "WUXI_AREAS", "reconcile_tags"]

FLAGS = ("schedule_a", "chinese_party", "jiangsu_party", "wuxi_party")
"""Every flag ``reconcile_tags`` sets, documented in the module docstring."""

WUXI_AREAS = frozenset(["无锡", "江阴", "宜兴", "滨湖", "新吴", "梁溪", "锡山", "惠山"])
"""Wuxi municipality: the city, its districts and its county-level cities."""
_SCHEDULE_A_WORDS = ("Schedule A", 'Schedule "A"', "Schedule “A”", "SCHEDULE A", 'SCHEDULE "A"')
_UNINCORPORATED = re.compile(r"Unincorporated\s+Associations", re.I)
_RULE_CHANGE_HEAD = re.compile(
    r"\b(?:fees?|fee\s+schedule|consultations?|seeking\s+views|call\s+for\s+views|guidance|"
    r"guidelines?|practice\s+(?:notice|direction|amendment)s?|"
    r"accelerated\s+examination|fast[\s-]track\s+examination|examination\s+(?:practice|"
    r"guidelines|manual)|treaty|(?:Act|Law|Code)\s+\(as\s+amended|as\s+amended\s+up\s+to)\b"
    r"|费用|收费|规费|年费|指引|指南|征求意见|优先审查|加快审查|审查标准|条约|修订|实施办法",
    re.I,
)
_COURT_ORDER = re.compile(
    r"\b(?:Order|Decision|Judgment|Judgement)\s+(?:of|on)\s+the\b|判决书|裁定书|裁决书"
)
"""The item is the order itself ("Order of the Munich LD", "Order on the admissibility"): a
decision, even when its case words (an infringement action, provisional measures) read as a
dispute."""
_COURT = (
    r"(?:(?i:local|central|regional)\s+(?i:division)|Court\s+of\s+(?:Appeal|First\s+Instance)|"
    r"(?i:the\s+court)|\b[A-Z][a-zü]+\s+(?:LD|CD|RD))"
    r"(?:\s+(?:of\s+the\s+)?(?:Unified\s+Patent\s+Court|UPC)|\s+\([^)\n]{1,30}\)|"
    r"\s+(?:in\s+)?[A-Z][\w\-]+)*,?"
)
"""A court as the subject of a sentence: "the Munich Local Division (of the UPC)", "the Local
Division Hamburg", "the Court", "Düsseldorf LD"."""
_RULES = (
    r"(?:(?:has|have|hereby|today|also|therefore)\s+)*"
    r"(?:orders|ordered|grants|granted|dismisses|dismissed|refuses|refused|rejects|rejected|"
    r"revokes|revoked|finds|found|holds\s+that|held\s+that|decides|decided|allows|allowed|"
    r"upholds|upheld|sets?\s+aside|confirms|confirmed)\b"
)
_APPLICATION_RULED = (
    r"\b(?:grants?|granted|granting|dismiss(?:es|ed)?|reject(?:s|ed)?|refus(?:es|ed)|"
    r"allow(?:s|ed))\s+the\s+(?:(?:claimant|applicant|defendant|plaintiff|patentee)['’]s\s+)?"
    r"(?:application|request|motion)s?\b"
    r"|\b(?:application|request)\s+for\s+(?:an?\s+)?(?:provisional\s+measures|"
    r"(?:preliminary\s+)?injunction|security\s+for\s+costs)\s+(?:is|was|has\s+been)\s+"
    r"(?:granted|dismissed|rejected|refused|allowed)\b"
)
_COURT_RULED = re.compile(
    rf"\b{_COURT}\s+{_RULES}|{_APPLICATION_RULED}"
    r"|\b(?:decision\s+by\s+default|default\s+decision)\b"
    r"|\b(?:Order|Decision)\s+of\s+the\s+(?:Court\s+of\s+(?:First\s+Instance|Appeal)|"
    r"(?:[A-Z][a-zü]+\s+)?(?:Local|Central|Regional)\s+Division|[A-Z][a-zü]+\s+(?:LD|CD|RD))"
)
"""The lead says a court ruled, in the words of an order (English): "the Hamburg Local
Division ordered", "the Local Division Munich hereby orders", "grants the application for
provisional measures", "the application for a preliminary injunction is dismissed", "decision
by default", "Order of the Court of First Instance". A decision, though its case words
(provisional measures, defendant) read as a dispute; a court only seised ("filed an action at
the Munich Local Division") is still one."""
_TRIAL_RUNNING = re.compile(
    r"\b(?:Trial\s+Instituted|Institution\s+Granted|Decision\s+Granting\s+Institution|"
    r"Pending)\b"
)
"""A PTAB trial under way (instituted or pending): a dispute, not a decision."""
_HEAD_RULING = re.compile(
    r"判决|审结|裁定|裁决|终裁|宣判|发布(?:临时)?禁令|遭(?:临时)?(?:禁令|限制令)|"
    r"\b(?:court|tribunal|board|office|circuit|judge(?:\s+(?-i:[A-Z])[\w'’\-]+){0,2})\s+"
    r"(?:rules|ruled|cancels|cancelled|grants|granted|orders|ordered|affirms|affirmed|reverses|"
    r"reversed|invalidates|invalidated|upholds|upheld|dismisses|dismissed|throws\s+out|"
    r"threw\s+out|tosses|tossed|vacates|vacated|overturns|overturned|revives|revived)\b|"
    r"\b(?:grants|granted|issues|issued)\s+(?:an?\s+)?(?:ex\s+parte\s+)?(?:preliminary\s+)?"
    r"injunction",
    re.I,
)
"""A head saying a court, judge or office ruled ("court dismisses patent suit against X",
"judge throws out lawsuit", "appeals court affirms"): the item reports a decision, though its
body describes the dispute ruled on. A party only asking for one ("moves to dismiss", "asks
the court to throw out") is still a dispute."""
_HEAD_DISMISSED = re.compile(
    r"\b(?:suit|lawsuit|case|complaint|claim)s?\s+"
    r"(?:against\s+(?:(?-i:[A-Z0-9])[\w&'’.,\-]*\s+|(?:of|and|the|&)\s+){1,10}?)?"
    r"(?:(?:is|was|were|gets|got)\s+)?(?:dismissed|thrown\s+out|tossed)\b",
    re.I,
)
"""A head saying a case was dismissed ("patent suit against X dismissed", "lawsuit thrown
out"): a decision, unless a party asks for it (``_ASKS_FOR``)."""
_ASKS_FOR = re.compile(
    r"\b(?:to\s+have|to\s+get|seeks?|seeking|asks?|asking|moves?|moving|motion|bid|urges?|"
    r"wants?|calls?\s+for|should|could|may|might)\b",
    re.I,
)
_HEAD_REPORT = re.compile(
    r"(?:发布|公布).{0,40}(?:报告|统计|数据|白皮书|蓝皮书)|(?:报告|统计|白皮书|蓝皮书)(?:发布|出炉)|"
    r"^[^\n:：]{0,60}\b(?:study|report|survey|statistics)\s*[:：]|\b(?:report|study)\s+finds\b",
    re.I,
)
"""A head announcing a report or statistics: a report, whatever disputes it counts."""
_DOCKET_REF = re.compile(r"-(?:cv|mc|cr)-")
_ZH_NOTICE_TITLE = re.compile(r"^关于.{1,80}的(?:通知|公告|通告|意见)\s*$")
_ZH_RULES_PUBLISHED = re.compile(
    r"《[^》]{0,60}(?:指引|指南|办法|规定|细则|条例|规则|标准)(?:（[^）]{0,8}）)?》|(?:指引|指南)发布"
)
"""A head that publishes a named rule text: a rule change, whatever disputes it covers."""


def reconcile_tags(
    tags: Tags,
    text: str,
    kind: ItemKind | str | None = None,
    jurisdictions: Sequence[str] = (),
) -> Tags:
    """The item's final tags: the pipeline's ``tags`` for ``text`` with the crawler's
    ``kind`` and ``jurisdictions`` merged as the module docstring says. Never raises on odd
    input: an unknown crawler kind is ignored.
    """
    if tags.untagged:
        return tags.model_copy(update={"capped": _capped(text)})
    head = text[: head_end(text)] if isinstance(text, str) else ""
    lead = text[:HEAD_CHARS] if isinstance(text, str) else ""
    update = {
        "kind": _final_kind(tags, head, lead, _known_kind(kind)),
        "jurisdictions": _final_jurisdictions(tags.jurisdictions, jurisdictions),
        "flags": _flags(tags, text),
        "capped": _capped(text),
    }
    return tags.model_copy(update=update)


def _known_kind(kind: ItemKind | str | None) -> ItemKind | None:
    if kind is None or isinstance(kind, ItemKind):
        return kind
    try:
        return ItemKind(kind)
    except ValueError:
        return None


def _final_kind(tags: Tags, head: str, lead: str, crawler: ItemKind | None) -> ItemKind | None:
    form = _head_form_kind(tags, head, lead, crawler or tags.kind)
    if form is not None:
        return form
    if crawler is not None and crawler is not ItemKind.NEWS:
        return crawler
    if _RULE_CHANGE_HEAD.search(head) and tags.kind in (None, ItemKind.NEWS, ItemKind.REPORT):
        return ItemKind.RULE_CHANGE
    if _ZH_RULES_PUBLISHED.search(head):
        return ItemKind.RULE_CHANGE
    if _ZH_NOTICE_TITLE.match(head.strip()):
        return ItemKind.RULE_CHANGE if _RULE_CHANGE_HEAD.search(head) else ItemKind.NEWS
    if tags.kind is None and any(_DOCKET_REF.search(ref) for ref in tags.case_refs):
        return ItemKind.DISPUTE
    return tags.kind or ItemKind.NEWS


def _head_form_kind(tags: Tags, head: str, lead: str, kind: ItemKind | None) -> ItemKind | None:
    """The kind the form of the head states, correcting a kind read from words (the head
    says what the item reports; the body describes the case), or None."""
    if kind is ItemKind.DECISION and tags.case_refs and _TRIAL_RUNNING.search(head):
        return ItemKind.DISPUTE
    if kind not in (ItemKind.DISPUTE, ItemKind.ENFORCEMENT, ItemKind.NEWS, None):
        return None
    if _HEAD_REPORT.search(head):
        return ItemKind.REPORT
    if _HEAD_RULING.search(head) or _head_dismissed(head) or _COURT_RULED.search(lead):
        return ItemKind.DECISION
    if kind is ItemKind.DISPUTE and _COURT_ORDER.search(lead):
        return ItemKind.DECISION
    return None


def _head_dismissed(head: str) -> bool:
    """Whether the head says a case was dismissed, not that a party asks for it ("moves to
    have the suit dismissed")."""
    dismissed = _HEAD_DISMISSED.search(head)
    if dismissed is None:
        return False
    return not _ASKS_FOR.search(head, max(0, dismissed.start() - 40), dismissed.start())


def _final_jurisdictions(found: Sequence[str], crawler: Sequence[str]) -> list[str]:
    own = [code for code in crawler if isinstance(code, str) and code]
    return list(dict.fromkeys([*own, *found]))


def _flags(tags: Tags, text: str) -> list[str]:
    flags = [flag for flag in tags.flags if flag not in FLAGS]
    if _is_schedule_a(text):
        flags.append("schedule_a")
    if any(p.chinese for p in tags.parties):
        flags.append("chinese_party")
    if any(p.province == "江苏" for p in tags.parties):
        flags.append("jiangsu_party")
    if any(p.city in WUXI_AREAS for p in tags.parties):
        flags.append("wuxi_party")
    return flags


def _is_schedule_a(text: str) -> bool:
    if not isinstance(text, str) or not any(word in text for word in _SCHEDULE_A_WORDS):
        return bool(isinstance(text, str) and _UNINCORPORATED.search(text))
    return True


def _capped(text: str) -> bool:
    """Whether the pipeline tagged only the first ``MAX_CHARS`` characters of the text."""
    if not isinstance(text, str) or len(text) <= MAX_CHARS:
        return False
    return clean_text(text)[1] is not None
