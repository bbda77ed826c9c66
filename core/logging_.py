"""structlog configuration, with secrets in URLs redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<cred>[^/@\s]+)@", re.I)
_SECRET_KEYS = {"password", "token", "api_key", "secret", "authorization"}


def redact(text: str) -> str:
    """Replace ``user:password@`` in URLs with ``***@``."""
    return _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)


_QUERY_SECRET = re.compile(r"(?P<key>[?&](?:token|key|api_key|secret)=)[^&\s\"]+", re.I)


class AccessLogRedactor(logging.Filter):
    """Hides secrets in the query strings of uvicorn's access log lines: a feed's URL holds
    its token, and whoever reads the log would otherwise read every subscription's feed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY_SECRET.sub(r"\g<key>***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def redact_access_log() -> None:
    """Install :class:`AccessLogRedactor` on uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogRedactor) for f in access.filters):
        access.addFilter(AccessLogRedactor())


def _redact_processor(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if key.lower() in _SECRET_KEYS:
            event[key] = "***"
        elif isinstance(value, str):
            event[key] = redact(value)
    return event


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now, so a replaced or closed stream (test runners
    capturing output) never leaves loggers holding a dead file."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


ENGINE_CLIENT_LOGGERS = ("opensearch", "elasticsearch", "elastic_transport", "urllib3")
"""The loggers of the search engines' client libraries, which log each failed request with
its whole traceback (about 40 lines a retry with the engine down)."""


class OneLineLibraryErrors(logging.Filter):
    """Turns a client library's logged traceback into one line: its message and the
    exception's type and first line. The command line already says what failed and what to
    do; pages of urllib3 frames bury that line and tell a user nothing more."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(ENGINE_CLIENT_LOGGERS):
            return True
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f" ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]})"
        record.msg, record.args = redact(message), None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def one_line_library_errors() -> None:
    """Install :class:`OneLineLibraryErrors` on the root logger's handlers (once): library
    loggers' records reach them by propagation, past any filter on their own logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, OneLineLibraryErrors) for f in handler.filters):
            handler.addFilter(OneLineLibraryErrors())


def configure_logging(level: str = "INFO") -> None:
    """Configure structlog to write key-value lines on stderr (stdout stays for data)."""
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            _redact_processor,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    """A bound structlog logger for a module."""
    return structlog.get_logger(name)
