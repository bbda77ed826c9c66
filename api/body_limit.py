"""A cap on request bodies: anything bigger is refused with 413 before it is stored.

The check is made twice: on the declared ``Content-Length`` (refused before a byte is
read) and on the bytes actually received (a chunked upload that passes the cap is cut off
mid-stream), so no route ever sees more than ``max_bytes``.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

MAX_REQUEST_BYTES = 5 * 1024 * 1024
"""The largest request body any route accepts (a profile import of thousands of profiles
fits in a few hundred kilobytes)."""


class BodyTooLarge(HTTPException):
    """Raised inside ``receive`` when the streamed body passes the cap. An
    ``HTTPException``, so that FastAPI's body parsing passes it on (it turns other errors
    into a 400) and the app's handler renders it in the API's error shape."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(max_bytes))


def too_large_message(max_bytes: int) -> str:
    """The one message a client sees for an oversized body."""
    return f"request body too large: the limit is {max_bytes} bytes; nothing was stored"


async def _send_413(send: Send, max_bytes: int) -> None:
    message = too_large_message(max_bytes)
    body = json.dumps(error_body("payload_too_large", message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413 ``payload_too_large``."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _send_413(send, self.max_bytes)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_413(send, self.max_bytes)
