"""Channels: one URL-addressed notifier, as Apprise does, plus a guarded, signed webhook.

Accepted channel URLs:

- ``mailto://`` / ``mailtos://`` — email over SMTP, settings in the URL (Apprise);
- ``wecombot://``, ``dingtalk://``, ``feishu://`` — WeCom, DingTalk and Feishu bots (Apprise);
- ``webhook://host/path`` (HTTP) and ``webhooks://host/path`` (HTTPS) — a JSON POST signed
  with HMAC-SHA256 (headers ``X-IPRWatch-Signature: sha256=<hex>``,
  ``X-IPRWatch-Timestamp``, ``X-IPRWatch-Delivery``; see ``warning.delivery.sign_payload``).

Webhook targets are refused when the host is, or resolves to, a private, loopback,
link-local or otherwise non-public address; each redirect hop is checked the same way and the
connection goes to the address that was checked (no second DNS lookup to rebind).
``webhook_allow_loopback`` lets tests use a loopback receiver.

Exceptions::

    DeliveryError
     ├── TransientDeliveryError   retry later (network, 5xx, 408, 429)
     └── PermanentDeliveryError   do not retry (bad URL, 4xx)
          ├── ChannelError        the URL is not an accepted channel
          └── UnsafeTargetError   the webhook target is not a public address
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import apprise
import certifi
import httpx

from warning.delivery import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Message,
    payload_bytes,
    redact_url,
    sign_payload,
)

APPRISE_SCHEMES = frozenset({"mailto", "mailtos", "wecombot", "dingtalk", "feishu"})
WEBHOOK_SCHEMES = {"webhook": "http", "webhooks": "https"}
MAX_REDIRECTS = 3
_IPV4_LIKE = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}", re.I)
"""Numbers joined by dots: an IPv4 address in a form ``ipaddress`` does not read."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class _RedactRequestUrls(logging.Filter):
    """Redacts the URLs in httpx's log lines (``HTTP Request: POST <url> ...``, at INFO).

    A webhook URL often holds its secret in the path or the query (``/hooks/<token>``,
    ``?token=``); logged as it is, whoever reads the worker's log could post to every
    subscriber's endpoint. Our own ``delivered`` line names the channel redacted too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(arg) for arg in record.args)
        return True


def _redacted_arg(arg: object) -> object:
    if isinstance(arg, httpx.URL) or (isinstance(arg, str) and "://" in arg):
        return redact_url(str(arg))
    return arg


def _redact_httpx_log() -> None:
    """Install :class:`_RedactRequestUrls` on httpx's logger (once per process)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactRequestUrls) for f in logger.filters):
        logger.addFilter(_RedactRequestUrls())


_redact_httpx_log()


class DeliveryError(Exception):
    """Sending failed."""


class TransientDeliveryError(DeliveryError):
    """Sending failed for a reason that may pass: try again later."""


class PermanentDeliveryError(DeliveryError):
    """Sending cannot succeed as configured: do not retry."""


class ChannelError(PermanentDeliveryError, ValueError):
    """The URL is not an accepted channel.

    Attributes:
        key: What is wrong, for messages in the user's language (``unsupported``,
            ``invalid``, ``no_host``, ``not_public``); empty when unnamed.
        values: What those messages name (the scheme, the host, the redacted URL...).
    """

    def __init__(self, message: str, key: str = "", **values: str) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


class UnsafeTargetError(PermanentDeliveryError):
    """A webhook target (or a redirect) points at a non-public address."""


@dataclass(frozen=True)
class SendOptions:
    """How to send: the webhook signing secret, the delivery id, timeouts, the loopback test
    exception."""

    secret: str
    delivery_id: str
    timeout: float = 15.0
    allow_loopback: bool = False


def validate_channel(url: str, allow_loopback: bool = False) -> str:
    """The channel URL, stripped, if it is one we accept; else :class:`ChannelError`.

    A webhook to a private address written as such is refused here; names are resolved
    and checked when sending (they may change).
    """
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme in WEBHOOK_SCHEMES:
        host = urlsplit(url).hostname
        if not host:
            shown = redact_url(url)
            raise ChannelError(f"webhook URL has no host: {shown}", "no_host", url=shown)
        _refuse_private_literal(host, allow_loopback)
        return url
    if scheme not in APPRISE_SCHEMES:
        accepted = ", ".join(sorted([*APPRISE_SCHEMES, *WEBHOOK_SCHEMES]))
        given = scheme or url[:20]
        raise ChannelError(
            f"unsupported channel {given!r}; use one of: {accepted}",
            "unsupported",
            scheme=given,
            accepted=accepted,
        )
    if apprise.Apprise.instantiate(url) is None:
        shown = redact_url(url)
        raise ChannelError(
            f"not a valid {scheme}:// URL: {shown}", "invalid", scheme=scheme, url=shown
        )
    return url


def _refuse_private_literal(host: str, allow_loopback: bool) -> None:
    address = _literal_address(host)
    if address is not None and not is_public_address(address, allow_loopback):
        raise ChannelError(
            f"webhook target {host} is not a public address", "not_public", host=host
        )


def _literal_address(host: str) -> IPAddress | None:
    """The address a host written as one stands for, also in the IPv4 forms resolvers take
    (``2130706433``, ``0x7f.1``, ``0177.0.0.1``: all 127.0.0.1); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not _IPV4_LIKE.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def send(url: str, message: Message, options: SendOptions) -> None:
    """Send ``message`` to the channel ``url``; raises a :class:`DeliveryError` on failure."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in WEBHOOK_SCHEMES:
        _send_webhook(url, message, options)
    elif scheme in APPRISE_SCHEMES:
        _send_apprise(url, message)
    else:
        raise ChannelError(f"unsupported channel {scheme!r}")


def _send_apprise(url: str, message: Message) -> None:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise ChannelError(f"not a valid channel URL: {redact_url(url)}")
    # The body is plain text: said so, Apprise escapes it for HTML channels (e-mail). Unsaid,
    # it went out as HTML as it was: lines run together, "<...>" in crawled titles vanished.
    text = apprise.NotifyFormat.TEXT
    if not notifier.notify(body=message.body, title=message.title, body_format=text):
        raise TransientDeliveryError(f"{urlsplit(url).scheme}: the notification was not accepted")


def _send_webhook(url: str, message: Message, options: SendOptions) -> None:
    body = payload_bytes(message, options.delivery_id)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "IPRWatch-Webhook/1",
        SIGNATURE_HEADER: sign_payload(options.secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: options.delivery_id,
    }
    response = post_guarded(webhook_http_url(url), body, headers, options)
    if response.status_code in (408, 429) or response.status_code >= 500:
        raise TransientDeliveryError(f"webhook answered HTTP {response.status_code}")
    if response.status_code >= 300:
        raise PermanentDeliveryError(f"webhook answered HTTP {response.status_code}")


def webhook_http_url(url: str) -> str:
    """``webhook(s)://host/path`` as the ``http(s)://`` URL it posts to."""
    scheme, rest = url.split("://", 1)
    return f"{WEBHOOK_SCHEMES[scheme.lower()]}://{rest}"


def post_guarded(
    url: str, body: bytes, headers: dict[str, str], options: SendOptions
) -> httpx.Response:
    """POST to ``url``, following up to :data:`MAX_REDIRECTS` redirects, each hop checked."""
    with httpx.Client(
        timeout=options.timeout, follow_redirects=False, verify=_tls_context()
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            response = _post_pinned(client, url, body, headers, options.allow_loopback)
            location = response.headers.get("location")
            if not (response.is_redirect and location):
                return response
            url = urljoin(url, location)
    raise PermanentDeliveryError(f"webhook redirected more than {MAX_REDIRECTS} times")


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every webhook (loading the CA bundle costs ~10-200 ms)."""
    return ssl.create_default_context(cafile=certifi.where())


def _post_pinned(
    client: httpx.Client, url: str, body: bytes, headers: dict[str, str], allow_loopback: bool
) -> httpx.Response:
    target = httpx.URL(url)
    if target.scheme not in ("http", "https") or not target.host:
        raise UnsafeTargetError(f"webhook target is not an http(s) URL: {target.scheme}")
    port = target.port or (443 if target.scheme == "https" else 80)
    address = resolve_public(target.host, port, allow_loopback)
    pinned = target.copy_with(host=str(address))
    host_header = target.host if target.port is None else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        return client.post(
            pinned,
            content=body,
            headers={**headers, "Host": host_header},
            extensions=extensions,
        )
    except httpx.TransportError as exc:
        raise TransientDeliveryError(f"webhook unreachable: {type(exc).__name__}") from exc


def resolve_public(host: str, port: int, allow_loopback: bool = False) -> IPAddress:
    """The address to connect to, after checking that ``host`` resolves only to public ones.

    Every address the name resolves to must be public: one private answer refuses the lot.
    """
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        addresses = _resolve(host, port)
    for address in addresses:
        if not is_public_address(address, allow_loopback):
            raise UnsafeTargetError(f"webhook target {host} resolves to a non-public address")
    return addresses[0]


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientDeliveryError(f"cannot resolve webhook host {host}") from exc
    found = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not found:
        raise TransientDeliveryError(f"cannot resolve webhook host {host}")
    return list(dict.fromkeys(found))


def is_public_address(address: IPAddress, allow_loopback: bool = False) -> bool:
    """Whether a webhook may go to ``address`` (global unicast; loopback only if allowed)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if allow_loopback and address.is_loopback:
        return True
    return address.is_global and not address.is_multicast
