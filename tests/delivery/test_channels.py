"""Channels send for real: email to a local SMTP server, signed webhooks to a local receiver;
webhooks to non-public addresses are refused, also behind DNS names and redirects."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.delivery.conftest import Mailbox, Receiver
from warning.delivery import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AlertView,
    alert_message,
    redact_url,
    verify_signature,
)
from warning.delivery_channels import (
    ChannelError,
    SendOptions,
    UnsafeTargetError,
    send,
    validate_channel,
)

SECRET = "s3cret-signing-key"
ALERT = AlertView(
    id=7,
    enterprise_id="wuxi-battery",
    enterprise_name={"zh": "无锡某电池有限公司", "en": "Wuxi Battery Co."},
    severity="critical",
    title={"zh": "您所在产业链的美国337调查", "en": "Section 337 investigation in your chain"},
    explanation={"zh": "美国ITC的337调查涉及您所在的产业链。", "en": "A 337 case concerns you."},
    action={"zh": "20日内答辩。", "en": "Answer within 20 days."},
    deadline=date(2026, 12, 26),
    item_title="Certain Lithium-Ion Batteries; Inv. No. 337-TA-1400",
    item_url="https://www.federalregister.gov/d/1",
)


def _options(allow_loopback: bool = True) -> SendOptions:
    return SendOptions(secret=SECRET, delivery_id="d-1", timeout=5, allow_loopback=allow_loopback)


def test_webhook_is_signed_so_the_receiver_can_verify_it(receiver: Receiver) -> None:
    send(receiver.url(), alert_message(ALERT, "en", "http://iprwatch.test"), _options())
    [request] = receiver.requests
    timestamp = int(request.headers[TIMESTAMP_HEADER])
    assert verify_signature(SECRET, timestamp, request.body, request.headers[SIGNATURE_HEADER])
    assert not verify_signature("wrong", timestamp, request.body, request.headers[SIGNATURE_HEADER])
    payload = json.loads(request.body)
    [alert] = payload["alerts"]
    assert alert["deadline"] == "2026-12-26"
    assert alert["link"] == "http://iprwatch.test/alerts/7?lang=en"
    assert payload["delivery_id"] == "d-1"


def test_email_reaches_a_local_smtp_server_in_chinese(smtp_server: Mailbox) -> None:
    message = alert_message(ALERT, "zh", "http://iprwatch.test")
    send(smtp_server.url("owner@example.com"), message, _options())
    [mail] = smtp_server.messages()
    assert "您所在产业链的美国337调查" in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain", "html"))
    assert body is not None
    text = body.get_content()
    assert "原因" in text and "期限: 2026-12-26" in text
    assert smtp_server.envelopes[0].rcpt_tos == ["owner@example.com"]


@pytest.mark.parametrize(
    "url",
    [
        "wecombot://a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "dingtalk://0123456789abcdef0123456789abcdef",
        "feishu://a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "mailtos://user:pass@smtp.example.com?to=owner@example.com",
        "webhooks://hooks.example.com/iprwatch",
    ],
)
def test_chinese_workplace_bots_and_email_urls_are_accepted(url: str) -> None:
    # WeCom, DingTalk and Feishu post to their vendors' fixed hosts, so these are parsed by
    # Apprise but not sent anywhere here.
    assert validate_channel(url) == url


@pytest.mark.parametrize(
    "url", ["json://example.com/hook", "http://example.com/hook", "wecombot://", "nonsense"]
)
def test_unknown_or_malformed_channels_are_refused(url: str) -> None:
    with pytest.raises(ChannelError):
        validate_channel(url)


@pytest.mark.parametrize(
    "host",
    ["10.0.0.1", "192.168.1.10", "172.16.0.1", "169.254.169.254", "[::1]", "[fe80::1]", "0.0.0.0"],
)
def test_webhooks_to_private_loopback_and_link_local_addresses_are_refused(host: str) -> None:
    message = alert_message(ALERT, "en", "http://iprwatch.test")
    with pytest.raises(UnsafeTargetError):
        send(f"webhook://{host}/hook", message, _options(allow_loopback=False))


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "10.1"])
def test_a_private_address_written_in_another_ipv4_form_is_refused_when_saved(host: str) -> None:
    with pytest.raises(ChannelError, match="not a public address"):
        validate_channel(f"webhook://{host}/hook")
    assert validate_channel("webhook://134744072/hook")  # 8.8.8.8: public, however written


def test_loopback_is_refused_unless_allowed(receiver: Receiver) -> None:
    message = alert_message(ALERT, "en", "http://iprwatch.test")
    with pytest.raises(UnsafeTargetError):
        send(receiver.url(), message, _options(allow_loopback=False))
    assert receiver.requests == []


def test_a_dns_name_resolving_to_a_private_address_is_refused(receiver: Receiver) -> None:
    message = alert_message(ALERT, "en", "http://iprwatch.test")
    with pytest.raises(UnsafeTargetError):
        send(receiver.url(host="localhost"), message, _options(allow_loopback=False))
    assert receiver.requests == []


def test_a_redirect_to_a_private_address_is_refused(receiver: Receiver) -> None:
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    message = alert_message(ALERT, "en", "http://iprwatch.test")
    with pytest.raises(UnsafeTargetError):
        send(receiver.url(), message, _options())
    assert len(receiver.requests) == 1  # the first hop only; the metadata address never


def test_secrets_in_channel_urls_are_redacted() -> None:
    assert redact_url("mailtos://bob:hunter2@smtp.example.com?to=a@b.c") == (
        "mailtos://bob:***@smtp.example.com?to=a@b.c"
    )
    assert "0123456789abcdef" not in redact_url("dingtalk://0123456789abcdef0123456789abcdef")
    assert "xyz" not in redact_url("webhooks://h.example.com/p?secret=xyz&a=1")
    assert redact_url("webhooks://h.example.com/hooks/T00000000B0000x0000") == (
        "webhooks://h.example.com/hooks/T000***"
    )
