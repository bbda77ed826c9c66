"""What a delivery says and how it is protected: pure functions, no I/O.

- :func:`alert_message` builds one alert's message (zh or en): title, why, action, deadline,
  link.
- :func:`digest_message` groups alerts by enterprise and severity, most severe first, capped
  per message with a link for the rest.
- :func:`sign_payload` signs a webhook body with HMAC-SHA256 (see :data:`SIGNATURE_HEADER`).
- :func:`backoff_delays` is the retry schedule: exponential, capped, ~48 hours in all.
- :func:`redact_url` hides passwords and tokens in channel URLs for logs and the API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SIGNATURE_HEADER = "X-IPRWatch-Signature"
TIMESTAMP_HEADER = "X-IPRWatch-Timestamp"
DELIVERY_HEADER = "X-IPRWatch-Delivery"
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")

_SECRET_PARAMS = re.compile(r"(pass|secret|token|key|sig|auth|pwd)", re.I)
_TOKEN_LIKE = re.compile(r"(?=[^/]*\d)[A-Za-z0-9_\-]{16,}")  # long, with a digit: a path token
_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "why": "原因",
        "action": "建议",
        "deadline": "期限",
        "link": "详情",
        "digest": "IPRWatch 预警摘要：{count} 条",
        "more": "另有 {count} 条预警未列出：{link}",
        "severity": "严重",
        "critical": "紧急",
        "high": "高",
        "medium": "中",
        "low": "低",
        "info": "提示",
    },
    "en": {
        "why": "Why",
        "action": "What to do",
        "deadline": "Deadline",
        "link": "Details",
        "digest": "IPRWatch alert digest: {count} alert(s)",
        "more": "{count} more alert(s) not listed: {link}",
        "severity": "Severity",
        "critical": "critical",
        "high": "high",
        "medium": "medium",
        "low": "low",
        "info": "info",
    },
}


@dataclass(frozen=True)
class AlertView:
    """What a message needs to know about one alert (built from the stored rows)."""

    id: int
    enterprise_id: str
    enterprise_name: dict[str, str]
    severity: str
    title: dict[str, str]
    explanation: dict[str, Any]
    action: dict[str, str]
    deadline: date | None
    item_title: str
    item_url: str | None


@dataclass(frozen=True)
class Message:
    """A message for every channel: plain text for Apprise, JSON for webhooks."""

    title: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


def _pick(texts: dict[str, Any], lang: str) -> str:
    value = texts.get(lang) or texts.get("en") or texts.get("zh") or ""
    return str(value)


def alert_link(site_url: str, alert_id: int, lang: str) -> str:
    """The alert's page in the web UI."""
    return f"{site_url.rstrip('/')}/alerts/{alert_id}?lang={lang}"


def _alert_lines(alert: AlertView, lang: str, site_url: str) -> list[str]:
    labels = _LABELS[lang]
    lines = [
        f"[{labels[alert.severity]}] {_pick(alert.title, lang)} — {alert.item_title}",
        f"{labels['why']}: {_pick(alert.explanation, lang)}",
        f"{labels['action']}: {_pick(alert.action, lang)}",
    ]
    if alert.deadline:
        lines.append(f"{labels['deadline']}: {alert.deadline.isoformat()}")
    lines.append(f"{labels['link']}: {alert_link(site_url, alert.id, lang)}")
    return lines


def alert_json(alert: AlertView, lang: str, site_url: str) -> dict[str, Any]:
    """One alert as it appears in a webhook body."""
    return {
        "id": alert.id,
        "enterprise_id": alert.enterprise_id,
        "severity": alert.severity,
        "title": alert.title,
        "why": {k: alert.explanation.get(k, "") for k in ("zh", "en")},
        "action": alert.action,
        "deadline": alert.deadline.isoformat() if alert.deadline else None,
        "link": alert_link(site_url, alert.id, lang),
        "item": {"title": alert.item_title, "url": alert.item_url},
    }


def alert_message(alert: AlertView, lang: str, site_url: str) -> Message:
    """One alert, for an instant subscription."""
    name = _pick(alert.enterprise_name, lang) or alert.enterprise_id
    title = f"IPRWatch · {name}: {_pick(alert.title, lang)}"
    payload = {"type": "alert", "lang": lang, "alerts": [alert_json(alert, lang, site_url)]}
    return Message(title, "\n".join(_alert_lines(alert, lang, site_url)), payload)


def severity_rank(severity: str) -> int:
    """0 for the most severe; unknown severities sort last."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def group_alerts(alerts: Iterable[AlertView]) -> dict[str, dict[str, list[AlertView]]]:
    """Alerts by enterprise, then by severity (most severe first), newest alert first."""
    ordered = sorted(alerts, key=lambda a: (a.enterprise_id, severity_rank(a.severity), -a.id))
    groups: dict[str, dict[str, list[AlertView]]] = {}
    for alert in ordered:
        groups.setdefault(alert.enterprise_id, {}).setdefault(alert.severity, []).append(alert)
    return groups


def _capped(alerts: Sequence[AlertView], cap: int) -> list[AlertView]:
    """The ``cap`` alerts a digest lists: the most severe first, whatever the enterprise."""
    return sorted(alerts, key=lambda a: (severity_rank(a.severity), -a.id))[:cap]


def digest_message(
    alerts: Sequence[AlertView], lang: str, site_url: str, cap: int, more_link: str
) -> Message:
    """A digest of many alerts, grouped by enterprise and severity, at most ``cap`` listed."""
    labels = _LABELS[lang]
    shown = _capped(alerts, cap)
    lines: list[str] = []
    groups = group_alerts(shown)
    for enterprise_id, by_severity in groups.items():
        first = next(iter(by_severity.values()))[0]
        lines.append(f"## {_pick(first.enterprise_name, lang) or enterprise_id}")
        for severity, members in by_severity.items():
            lines.append(f"### {labels['severity']}: {labels.get(severity, severity)}")
            for alert in members:
                lines.extend(_alert_lines(alert, lang, site_url))
                lines.append("")
    rest = len(alerts) - len(shown)
    if rest > 0:
        lines.append(labels["more"].format(count=rest, link=more_link))
    payload = {
        "type": "digest",
        "lang": lang,
        "total": len(alerts),
        "groups": [
            {
                "enterprise_id": enterprise_id,
                "severity": severity,
                "alerts": [alert_json(a, lang, site_url) for a in members],
            }
            for enterprise_id, by_severity in groups.items()
            for severity, members in by_severity.items()
        ],
        "more": rest,
        "more_link": more_link if rest > 0 else None,
    }
    title = labels["digest"].format(count=len(alerts))
    return Message(title, "\n".join(lines).strip(), payload)


@dataclass(frozen=True)
class DeliveryFailure:
    """Deliveries that failed for good, as their subscription's owner is told."""

    subscription_id: int
    name: str
    channel: str  # redacted
    attempts: int
    alert_ids: list[int]
    reason: str


OWNER_NOTICE_MAX_IDS = 20
"""Alert ids the owner's notice lists in its text; it says how many more there are (the
webhook payload carries them all)."""


def _listed_ids(alert_ids: Sequence[int], lang: str) -> str:
    """The first ids, and how many more were left out, in the notice's language."""
    ids = ", ".join(str(i) for i in alert_ids[:OWNER_NOTICE_MAX_IDS])
    more = len(alert_ids) - OWNER_NOTICE_MAX_IDS
    if more <= 0:
        return ids
    return f"{ids} 等，另有 {more} 条" if lang == "zh" else f"{ids} and {more} more"


def owner_notice(failure: DeliveryFailure, lang: str) -> Message:
    """The message telling a subscription's owner that deliveries failed for good."""
    ids = _listed_ids(failure.alert_ids, lang)
    if lang == "zh":
        title = f"IPRWatch：订阅“{failure.name}”的预警投递失败"
        body = (
            f"渠道 {failure.channel} 经过 {failure.attempts} 次尝试后仍未送达。\n"
            f"最后的错误：{failure.reason}\n预警编号：{ids}\n"
            "请检查渠道设置；这些预警仍可在网页和订阅源中查看。"
        )
    else:
        title = f"IPRWatch: alerts for subscription '{failure.name}' could not be delivered"
        body = (
            f"Channel {failure.channel} failed after {failure.attempts} attempt(s).\n"
            f"Last error: {failure.reason}\nAlert ids: {ids}\n"
            "Please check the channel; the alerts remain on the web UI and in the feed."
        )
    payload = {
        "type": "delivery_failed",
        "subscription_id": failure.subscription_id,
        "channel": failure.channel,
        "attempts": failure.attempts,
        "alert_ids": failure.alert_ids,
        "reason": failure.reason,
    }
    return Message(title, body, payload)


def payload_bytes(message: Message, delivery_id: str) -> bytes:
    """The webhook body: the message's JSON payload with its title and delivery id."""
    body = {"delivery_id": delivery_id, "title": message.title, **message.payload}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def sign_payload(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: ``sha256=`` + HMAC-SHA256 of ``"{timestamp}." + body``.

    Receivers recompute it with the subscription's signing secret and compare in constant
    time; the timestamp (header :data:`TIMESTAMP_HEADER`) lets them refuse replays.
    """
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether ``header`` is the right signature for this body (constant-time)."""
    return hmac.compare_digest(sign_payload(secret, timestamp, body), header)


def backoff_delays(total_seconds: float, base: float, cap: float) -> list[float]:
    """Delays before each retry: ``base * 2**n`` capped at ``cap``, until ``total`` is spent.

    The number of attempts follows from the total: with the defaults (60 s, 6 h cap, 48 h)
    that is 16 retries over about 50 hours.
    """
    delays: list[float] = []
    spent = 0.0
    while spent < total_seconds:
        delay = min(cap, base * 2 ** len(delays))
        delays.append(delay)
        spent += delay
    return delays


def jittered(delay: float, rng: random.Random | None = None) -> float:
    """``delay`` spread by ±10 %, so that retries after an outage do not arrive together."""
    return delay * (rng or random).uniform(0.9, 1.1)


def channel_key(url: str) -> str:
    """A channel's stable key: the SHA-256 of its URL (the URL itself may hold secrets)."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()


def redact_url(url: str) -> str:
    """The URL with its password, secret query values and token-like path parts hidden."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = urlencode(
        [(k, "***" if _SECRET_PARAMS.search(k) else v) for k, v in parse_qsl(parts.query)],
        safe="*@",
    )
    path = "/".join(_mask(p) if _TOKEN_LIKE.fullmatch(p) else p for p in parts.path.split("/"))
    if parts.scheme in {"wecombot", "dingtalk", "feishu"}:
        netloc = _mask(netloc)
        path = "/".join(_mask(p) if p else p for p in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def _mask(token: str) -> str:
    return f"{token[:4]}***" if len(token) > 4 else "***"
