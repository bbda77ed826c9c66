"""The crawlers' kind tables follow the tagger's labelling rules (tagger/eval/README.md): a
complaint, an institution or a pending trial is a dispute; a determination, an order, a
termination or a final decision in a case is a decision."""

from __future__ import annotations

import pytest

from core.types import ItemKind
from crawlers.sources.federal_register.spider import section_337_kind
from crawlers.sources.uspto_ptab.spider import PROCEEDING_STATUSES


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("Pending", ItemKind.DISPUTE),
        ("Trial Instituted", ItemKind.DISPUTE),
        ("Institution Denied", ItemKind.DECISION),
        ("Final Written Decision", ItemKind.DECISION),
        ("Terminated-Settled", ItemKind.DECISION),
        ("Terminated-Dismissed", ItemKind.DECISION),
    ],
)
def test_a_ptab_trial_is_a_dispute_until_the_board_decides_or_terminates_it(
    status: str, kind: ItemKind
) -> None:
    assert PROCEEDING_STATUSES.table[status] is kind


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Complaints: Certain Nanopores and Products Containing Same, DN 3123", ItemKind.DISPUTE),
        (
            "Certain Lithium-Ion Battery Cells; Notice of Receipt of Complaint; Solicitation "
            "of Comments Relating to the Public Interest",
            ItemKind.DISPUTE,
        ),
        (
            "Investigations; Determinations, Modifications, and Rulings, etc.: Certain Solar "
            "Modules; Institution of Investigation",
            ItemKind.DISPUTE,
        ),
        (
            "Certain Network Devices (I); Commission's Determination To Review In-Part a Final "
            "Initial Determination Finding a Violation of Section 337",
            ItemKind.DECISION,
        ),
        (
            "Certain Vaporizer Devices; Issuance of a General Exclusion Order and Cease and "
            "Desist Orders; Termination of the Investigation",
            ItemKind.DECISION,
        ),
        ("Certain Robotic Vacuums; Notice of a Hearing", ItemKind.DISPUTE),
    ],
)
def test_a_section_337_notice_is_a_dispute_or_a_decision_by_what_it_reports(
    title: str, kind: ItemKind
) -> None:
    assert section_337_kind(title) is kind
