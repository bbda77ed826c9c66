"""Parts shared by the pipeline fault tests: a batch of Section 337 notices as a crawl stores
them, an instant webhook subscription, a webhook receiver that can go down and come back on
the same port, and waiting on the records database.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import func, select

from api.pipeline import PipelineState, pipeline_state
from core.db import session_scope
from core.models import AlertRow, Delivery
from core.types import ItemKind, ItemRecord
from crawlers.store import store_items
from warning.delivery import DELIVERY_HEADER
from warning.profiles import parse_profiles
from warning.store import save_profiles
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
ITC_RULE = "itc337_in_market_chain"


def battery_notices(count: int, prefix: str = "fault") -> list[ItemRecord]:
    """Section 337 notices on lithium-ion batteries, as the Federal Register spider emits
    them (English; every fourth one in Chinese, as the MOFCOM portal reports them)."""
    now = datetime.now(UTC)
    records = []
    for n in range(count):
        inv = f"337-TA-{1500 + n}"
        if n % 4 == 3:
            title = f"美国ITC对锂离子电池及其组件发起337调查（{inv}）"
            summary = "美国国际贸易委员会投票决定对特定锂离子电池产品发起337调查，涉及无锡企业。"
            language = "zh"
        else:
            title = f"Certain Lithium-Ion Battery Cells and Products Containing the Same; Inv. No. {inv}"
            summary = (
                "Notice is hereby given that a complaint was filed with the U.S. International "
                "Trade Commission under section 337 of the Tariff Act of 1930 alleging "
                "infringement of certain claims of U.S. Patent No. 10,123,456."
            )
            language = "en"
        records.append(
            ItemRecord(
                id=f"{prefix}:{n}",
                source="federal_register",
                url=f"https://www.federalregister.gov/d/{prefix}-{n}",
                title=title,
                summary=summary,
                language=language,
                published_at=now - timedelta(days=n % 5),
                jurisdictions=["US"],
                kind=ItemKind.DISPUTE,
                case_refs=[inv],
            )
        )
    return records


def store_batch(records: list[ItemRecord]) -> list[str]:
    """Store the records as a crawl does (new versions, each with an outbox entry)."""
    with session_scope() as session:
        return store_items(session, "federal_register", records).written_ids


def save_test_profiles() -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILES))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebhookLog:
    """A webhook receiver on a fixed loopback port that records each POST by its
    ``X-IPRWatch-Delivery`` id, as a receiver that drops repeats would; it can be stopped
    (connections refused) and started again on the same port."""

    port: int = field(default_factory=free_port)
    posts: list[tuple[float, str, str, list[int]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def url(self, path: str = "/hook") -> str:
        return f"webhook://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def hook_posts(self) -> list[tuple[float, str, str, list[int]]]:
        return [p for p in self.posts if p[1] == "/hook"]

    def deliveries_by_alert(self) -> dict[int, set[str]]:
        """For each alert received, the distinct delivery ids that carried it."""
        carried: dict[int, set[str]] = defaultdict(set)
        for _, _, delivery_id, alert_ids in self.hook_posts():
            for alert_id in alert_ids:
                carried[alert_id].add(delivery_id)
        return carried

    def repeats(self) -> int:
        """POSTs that repeated a delivery id already received (dropped by the receiver)."""
        posts = self.hook_posts()
        return len(posts) - len({p[2] for p in posts})


def _handler(log: WebhookLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            alerts = [int(a["id"]) for a in json.loads(body or b"{}").get("alerts", [])]
            delivery = self.headers.get(DELIVERY_HEADER, "")
            log.posts.append((time.monotonic(), self.path, delivery, alerts))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def subscribe(receiver: WebhookLog) -> int:
    """An instant webhook subscription for the battery maker; the owner is told at /owner."""
    spec = SubscriptionSpec(
        name="电池 337 即时预警",
        enterprise_id="wuxi-battery",
        channels=[receiver.url()],
        owner_contact=receiver.url("/owner"),
        language="zh",
    )
    with session_scope() as session:
        return create_subscription(session, spec).row.id


def state() -> PipelineState:
    with session_scope() as session:
        return pipeline_state(session)


def delivery_counts() -> dict[str, int]:
    with session_scope() as session:
        rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return {status: int(n) for status, n in rows}


def alert_keys() -> list[tuple[str, str, str]]:
    """(item id, enterprise, rule) of every stored alert."""
    with session_scope() as session:
        rows = session.execute(select(AlertRow.item_id, AlertRow.enterprise_id, AlertRow.rule_id))
        return [(i, e, r) for i, e, r in rows]


def wait_for(
    done: Callable[[], bool],
    timeout: float,
    what: str,
    alive: Callable[[], None] | None = None,
    every: float = 0.3,
) -> float:
    """Poll ``done`` until it holds; returns the seconds waited. ``alive`` raises when a
    process the wait depends on has died."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if done():
            return time.monotonic() - start
        if alive is not None:
            alive()
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class TcpProxy:
    """A TCP forwarder on a fixed loopback port in front of a real server: ``stop`` refuses
    new connections and cuts open ones (the server looks down), ``start`` brings it back."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the blocked accept() (Linux)
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
