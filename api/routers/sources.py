"""Sources and their health."""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import PUBLIC_ERROR_RESPONSES
from api.schemas import SourceOut
from api.services import source_statuses

router = APIRouter(tags=["sources"], responses=PUBLIC_ERROR_RESPONSES)


@router.get("/sources", response_model=list[SourceOut])
def list_sources() -> list[SourceOut]:
    """Every source with its last success, item count and health."""
    return [SourceOut.model_validate(s) for s in source_statuses()]
