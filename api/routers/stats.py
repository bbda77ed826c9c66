"""Chain statistics: aggregated, de-identified alert figures (alliances and admins).

An alliance sees its own chains only; asking for another chain is a 404, as for any
resource the caller may not see. Admins may ask for any chain.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth._principal import not_found
from api.deps import DbSession
from api.errors import ERROR_RESPONSES
from api.routers._access import StatsRead
from api.stats import chain_statistics, stored_chains

router = APIRouter(tags=["stats"], responses=ERROR_RESPONSES)


class GroupCount(BaseModel):
    """One group (a month, a risk code, a country) with at least ``min_group`` enterprises."""

    key: str = Field(examples=["2025-03"])
    enterprises: int = Field(examples=[4])
    alerts: int = Field(examples=[9])


class ChainStats(BaseModel):
    """De-identified alert statistics over industry chains: no enterprise is named, and
    groups with fewer than ``min_group`` enterprises are left out."""

    chains: list[str] = Field(examples=[["L1", "L4"]])
    enterprises: int | None = Field(
        description="Enterprises with alerts; null when fewer than min_group.", examples=[12]
    )
    disputes_by_month: list[GroupCount]
    top_risks: list[GroupCount]
    countries: list[GroupCount]
    min_group: int = Field(examples=[3])
    suppressed_groups: int = Field(examples=[2])


@router.get("/stats/chains", response_model=ChainStats)
def get_chain_stats(
    session: DbSession,
    principal: StatsRead,
    chain: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Chain ids (repeatable); default: an alliance's own, every chain for admins.",
        ),
    ] = None,
) -> ChainStats:
    """Disputes over time, top risks and countries for the alerts of a chain's enterprises."""
    own = stored_chains(session) if principal.is_admin else list(principal.chains)
    wanted = sorted(set(chain or own))
    if not principal.is_admin:
        for requested in wanted:
            if requested not in own:
                raise not_found("chain", requested)
    return ChainStats.model_validate(chain_statistics(session, wanted))
