"""Local receivers for real deliveries: an SMTP server (aiosmtpd) and an HTTP webhook
receiver, plus stored enterprises, items and alerts made by the real rules."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from core.db import session_scope
from core.models import Delivery, Item
from core.settings import get_settings
from core.types import ChainTag, Tags
from warning.profiles import parse_profiles
from warning.store import evaluate_stored_items, save_profiles
from warning.subscriptions import SubscriptionSpec, create_subscription

PROFILES = """
enterprises:
  - id: wuxi-battery
    name: {zh: 无锡某电池有限公司, en: Wuxi Battery Co.}
    chains: [A5]
    destinations: [{country: US, export_share: 0.4}]
  - id: wuxi-netlink
    name: {zh: 无锡锡联网络设备有限公司, en: Wuxi Xilian Network Equipment Co.}
    chains: [L1]
    destinations: [{country: US, export_share: 0.35}]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    port: int
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def url(self, to: str) -> str:
        """An Apprise mailto:// URL that sends to ``to`` through this server."""
        return (
            f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&mode=insecure"
            f"&from=alerts@iprwatch.test&to={to}"
        )

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content, policy=policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on loopback."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local webhook receiver: records requests; answers with ``statuses`` in turn
    (then 200), or redirects everything to ``redirect_to``."""

    port: int
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    redirect_to: str | None = None
    always: int | None = None
    hold: bool = False
    """Hold each request open (after recording it) until ``release`` is set: a send in
    flight. ``arrived`` is set when one is being held."""
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"webhook://{host}:{self.port}{path}"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.hold:
                receiver.arrived.set()
                receiver.release.wait(timeout=60)
            if receiver.redirect_to:
                self.send_response(307)
                self.send_header("Location", receiver.redirect_to)
            else:
                status = receiver.always or (receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on loopback that records webhook requests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(port=0)))
    state = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()  # a request still held (a test that failed midway) lets go
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let webhooks reach the loopback receiver (refused otherwise)."""
    monkeypatch.setenv("IPRWATCH_WEBHOOK_ALLOW_LOOPBACK", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def profiles(db: str) -> list[str]:
    with session_scope() as session:
        return save_profiles(session, parse_profiles(PROFILES))


def store_337_items(
    count: int,
    start: datetime | None = None,
    chain: str = "A5",
    prefix: str = "fr",
    product: str = "Lithium-Ion Batteries",
) -> list[str]:
    """Tagged Section 337 items, one a day backwards from ``start``."""
    start = start or datetime.now(UTC)
    ids = []
    with session_scope() as session:
        for n in range(count):
            item_id = f"{prefix}:{chain}:{n}"
            tags = Tags(
                chains=[ChainTag(id=chain, score=0.9, evidence=["lithium-ion batteries"])],
                kind="dispute",
                jurisdictions=["US"],
                case_refs=[f"337-TA-{1400 + n}"],
            )
            session.add(
                Item(
                    id=item_id,
                    source_id="federal_register",
                    url=f"https://www.federalregister.gov/d/{n}",
                    title=f"Certain {product}; Inv. No. 337-TA-{1400 + n}",
                    kind="dispute",
                    jurisdictions=["US"],
                    case_refs=[f"337-TA-{1400 + n}"],
                    content_hash=f"h{n}",
                    published_at=start - timedelta(days=n),
                    tags=tags.model_dump(mode="json"),
                )
            )
            ids.append(item_id)
    return ids


def make_alerts(
    count: int, chain: str = "A5", prefix: str = "fr", product: str = "Lithium-Ion Batteries"
) -> list[int]:
    """Store ``count`` items and let the real rules raise their alerts; the alert ids."""
    ids = store_337_items(count, chain=chain, prefix=prefix, product=product)
    with session_scope() as session:
        return [row.id for row in evaluate_stored_items(session, ids)]


def subscribe(
    channels: list[str],
    frequency: str = "instant",
    *,
    name: str = "电池预警",
    enterprise: str = "wuxi-battery",
    owner: str | None = None,
    language: str = "zh",
) -> int:
    """Store a subscription (its owner told at the first channel unless ``owner``); its id."""
    spec = SubscriptionSpec(
        name=name,
        enterprise_id=enterprise,
        frequency=frequency,  # type: ignore[arg-type]
        channels=channels,
        owner_contact=owner or channels[0],
        language=language,  # type: ignore[arg-type]
    )
    with session_scope() as session:
        return create_subscription(session, spec).row.id


def deliveries() -> list[Delivery]:
    """Every delivery row, in the order they were written."""
    with session_scope() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))
