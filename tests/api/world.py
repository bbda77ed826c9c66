"""A small world of tenants with one of every resource, for the tenant matrix and schemathesis.

Two exporters (``acme`` owns ``ent-a``, ``beta`` owns ``ent-b``), two advisory firms
(``hengyuan`` advises ``ent-a``, ``lanting`` advises ``ent-b``), two alliances and two
operator organisations. Tenant A's side and tenant B's side each have an alert with a
note, a subscription, a saved search and a health check with an advisor's note; there is a
shared subscription and saved search, a briefing and three indexed items.

The world is built once into a template data directory; ``install_world`` copies it for
each test, so a test may change anything.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from core.models import AlertRow
from core.types import ItemRecord
from tests.api.conftest import ITEMS

AS_OF = date(2025, 10, 15)
PROFILES = """
- id: ent-a
  name: {zh: 无锡甲电池有限公司, en: Wuxi Alpha Battery Co.}
  chains: [A5, L1]
  destinations: [{country: US, export_share: 0.4}]
- id: ent-b
  name: {zh: 无锡乙光伏有限公司, en: Wuxi Beta Solar Co.}
  chains: [A5, L4]
  destinations: [{country: US, export_share: 0.3}, {country: DE, export_share: 0.2}]
"""
ORGS = {
    # role name in the matrix: (organisation, kind, chains, enterprise)
    "admin": ("operator", "operator", [], None),
    "admin-2": ("operator-2", "operator", [], None),
    "exporter": ("acme", "exporter", [], "ent-a"),
    "exporter-2": ("beta", "exporter", [], "ent-b"),
    "advisor": ("hengyuan", "advisory", [], "ent-a"),
    "advisor-2": ("lanting", "advisory", [], "ent-b"),
    "alliance": ("iot", "alliance", ["L1", "L4"], None),
    "alliance-2": ("solar", "alliance", ["F4"], None),
}
ROLES = (*ORGS, "anonymous")
LOGIN = ("login@example.com", "login-password-1")
CHANNEL = "mailtos://bob:hunter2@smtp.example.com?to=owner@example.com"


@dataclass
class World:
    """Ids and secrets of the world's resources, per side (``a``, ``b``, ``shared``)."""

    template: Path
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, object] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """The request headers of a role (none for ``anonymous``)."""
        key = self.keys.get(role)
        return {"Authorization": f"Bearer {key}"} if key else {}


def _store_items(session: Session) -> None:
    from api.pipeline import process_items
    from crawlers.store import store_items

    ids: list[str] = []
    for source in sorted({i.source for i in ITEMS}):
        batch: list[ItemRecord] = [i for i in ITEMS if i.source == source]
        ids += [item_id for item_id, _ in store_items(session, source, batch).written]
    session.flush()
    process_items(session, ids, AS_OF)


def _alert(enterprise_id: str, item_id: str) -> AlertRow:
    text = {"zh": f"{enterprise_id} 337 调查", "en": f"{enterprise_id} Section 337"}
    return AlertRow(
        enterprise_id=enterprise_id,
        item_id=item_id,
        item_version=1,
        rule_id="matrix-rule",
        severity="high",
        risk_code="us_337",
        score=0.9,
        title=text,
        explanation={**text, "matched": {}},
        action=text,
        status="new",
    )


def _side(session: Session, side: str, enterprise_id: str, world: World) -> None:
    """One tenant's alert, subscription, saved search and health check."""
    from reports.service import run_stored_health_check
    from reports.store import add_note as add_health_note
    from search.query import SearchQuery
    from search.saved import save_search
    from warning.store import add_note
    from warning.subscriptions import SubscriptionSpec, create_subscription

    alert = _alert(enterprise_id, ITEMS[0].id)
    session.add(alert)
    session.flush()
    add_note(session, alert.id, f"note on {enterprise_id}", "analyst")
    saved = save_search(session, f"{side} watch", SearchQuery(q="lithium"), enterprise_id)
    spec = SubscriptionSpec(
        name=f"{side} subscription", enterprise_id=enterprise_id, owner_contact=CHANNEL
    )
    created = create_subscription(session, spec)
    check, _ = run_stored_health_check(session, enterprise_id, AS_OF)
    add_health_note(session, check, "advisor", f"advice for {enterprise_id}")
    world.ids.update(
        {
            f"alert_{side}": alert.id,
            f"search_{side}": saved.id,
            f"sub_{side}": created.row.id,
            f"token_{side}": created.feed_token,
            f"check_{side}": check.id,
        }
    )


def _accounts(session: Session, world: World) -> None:
    from api.auth import SCOPES, assign_enterprise, create_api_key, create_org, create_user

    for role, (org_id, kind, chains, enterprise) in ORGS.items():
        create_org(session, org_id, kind, name_en=org_id, chains=chains)
        if enterprise:
            assign_enterprise(session, org_id, enterprise)
        world.keys[role] = create_api_key(session, org_id, role, list(SCOPES)).plaintext
    user = create_user(session, LOGIN[0], LOGIN[1], "operator", "admin")
    victim = create_api_key(session, "beta", "victim", ["alerts:read"])
    world.ids.update({"user": user.id, "victim_key": victim.row.id})


def build_world(template: Path) -> World:
    """Build the world into ``template`` (a data directory) and return its ids and keys."""
    from core.db import get_engine, session_scope
    from core.migrate import upgrade
    from core.settings import get_settings
    from reports.service import generate_briefing
    from search.query import SearchQuery
    from search.saved import save_search
    from warning.profiles import parse_profiles
    from warning.store import save_profiles
    from warning.subscriptions import SubscriptionSpec, create_subscription

    world = World(template=template)
    with pytest.MonkeyPatch.context() as patch:
        _point_at(patch, template)
        upgrade(get_settings().database_url)
        with session_scope() as session:
            save_profiles(session, parse_profiles(PROFILES))
            _store_items(session)
            _accounts(session, world)
            _side(session, "a", "ent-a", world)
            _side(session, "b", "ent-b", world)
            shared = save_search(session, "shared watch", SearchQuery(q="patent"), None)
            # the subscription follows a search of its own: one it follows is not deleted
            followed = save_search(session, "followed watch", SearchQuery(q="patent"), None)
            spec = SubscriptionSpec(
                name="shared subscription", saved_search_id=followed.id, owner_contact=CHANNEL
            )
            created = create_subscription(session, spec)
            briefing, _ = generate_briefing(session, "US", None, None, AS_OF, "en")
            world.ids.update(
                {
                    "search_shared": shared.id,
                    "sub_shared": created.row.id,
                    "token_shared": created.feed_token,
                    "briefing": briefing.id,
                    "item": ITEMS[0].id,
                }
            )
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
    return world


def _point_at(patch: pytest.MonkeyPatch, var: Path) -> None:
    from core.db import get_engine
    from core.settings import get_settings

    patch.setenv("IPRWATCH_DATA_DIR", str(var))
    patch.setenv("IPRWATCH_DATABASE_URL", f"sqlite:///{var / 'iprwatch.db'}")
    patch.delenv("IPRWATCH_SEARCH_URL", raising=False)
    patch.delenv("IPRWATCH_BROKER_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()


def install_world(world: World, tmp_path: Path, patch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the world's data directory, made the current one."""
    var = tmp_path / "var"
    shutil.copytree(world.template, var)
    patch.chdir(tmp_path)
    _point_at(patch, var)
    return var
