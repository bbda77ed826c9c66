"""Exporting a search result set as CSV (streamed) or XLSX (written in constant memory).

At most ``EXPORT_CAP`` items are exported; the route says so in a header when the result set
is larger (``X-Export-Truncated``, ``X-Export-Total``), never in the data.

An export that fails part-way never passes for a whole one. The XLSX file is written before
anything is sent, so its failure is an error response. A CSV stream has already sent its
``200`` when a later page fails: it then writes one last row, ``INCOMPLETE_MARKER`` and a
message in both languages, and aborts the transfer (the chunked body is never terminated,
so browsers, curl and HTTP libraries report a failed download).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Generator, Iterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from api.services import scan_search
from core.logging_ import get_logger

log = get_logger(__name__)

EXPORT_CAP = 10_000
# A CSV cell starting with one of these runs as a formula in a spreadsheet (CSV injection;
# a leading tab or carriage return is dropped by some and the rest read as a formula).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("id", "published_at", "title", "kind", "jurisdictions", "chains", "source", "url")
_URL_COLUMN = COLUMNS.index("url")
MAX_XLSX_URL_CHARS = 2079
"""Excel's limit for a hyperlink: a longer item URL is written as plain text."""
INCOMPLETE_MARKER = "#export-incomplete"
"""The first cell of the last row of a CSV export that failed part-way (never an item id)."""


class ExportIncomplete(RuntimeError):
    """A streamed export failed after its first rows were sent; raised to abort the
    transfer once the marker row is out."""


Rows = Generator[list[str], None, None]
"""An export's rows; closing them before their end lets go of the index view they read."""


def open_rows(params: dict[str, Any], cap: int = EXPORT_CAP) -> tuple[int, Rows]:
    """How many items the result set holds, and its rows as plain text, at most ``cap`` of
    them (lists joined by ``; ``); the count and every row come from one view of the index,
    opened by the call: items indexed while the export runs neither repeat nor skip a row,
    nor make the count (``X-Export-Total``) disagree with the rows. Closing the rows early
    (a client that left) closes the view at once, instead of when it expires or the garbage
    collector finds it."""
    total, hits = scan_search(cap, **params)
    return total, _rows(hits)


def _rows(hits: Generator[dict[str, Any], None, None]) -> Rows:
    try:
        for hit in hits:
            yield [_cell(hit.get(column)) for column in COLUMNS]
    finally:
        hits.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def csv_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(rows: Rows) -> Generator[bytes, None, None]:
    """CSV with a UTF-8 BOM (so Excel reads Chinese correctly), one chunk per 200 rows; cells
    that would run as formulas are quoted (``csv_safe``). The rows are closed however the
    chunks end: read to the end, failed, or closed early (``ClosingStream``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    written = 0
    try:
        for written, row in enumerate(rows, 1):
            writer.writerow([csv_safe(cell) for cell in row])
            if written % 200 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    except Exception as exc:
        log.warning("export incomplete", rows=written, reason=_first_line(exc))
        writer.writerow(incomplete_row(written))
        yield buffer.getvalue().encode("utf-8")
        raise ExportIncomplete(f"export failed after {written} rows") from exc
    finally:
        rows.close()
    yield buffer.getvalue().encode("utf-8")


class ClosingStream(StreamingResponse):
    """A streamed CSV export that closes its chunks (and so its rows and their index view)
    however the response ends. Starlette stops reading a sync iterator when the client goes
    (a closed tab, a cancelled download) but never closes it: the export's point in time
    stayed open on the engine until the garbage collector or its keep-alive ended it."""

    def __init__(self, chunks: Generator[bytes, None, None], headers: dict[str, str]) -> None:
        super().__init__(chunks, media_type="text/csv; charset=utf-8", headers=headers)
        self._chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # In a thread: closing may call the engine. Starlette has waited for any read in
            # progress to end, so the generator is not running.
            await run_in_threadpool(self._chunks.close)


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def incomplete_row(written: int) -> list[str]:
    """The row that ends a CSV export which failed after ``written`` rows: the marker, then
    what happened in Chinese and English (a reader of the file sees it in a spreadsheet)."""
    message = (
        f"导出不完整：写出 {written} 行后检索失败，本文件不是完整结果，请重新导出。"
        f" / Export incomplete: search failed after {written} rows; this file is not the"
        " whole result set, export again."
    )
    return [INCOMPLETE_MARKER, message, *[""] * (len(COLUMNS) - 2)]


def write_xlsx(rows: Rows) -> str:
    """Write the rows to a temporary XLSX file (constant memory); returns its path.

    Cells are written as the text they are: never as a formula, and never as a hyperlink
    (xlsxwriter would turn a title starting ``external:`` into a link to a file share and
    drop a URL over Excel's limit, leaving the cell empty); only the ``url`` column's
    ``http(s)`` URLs within that limit are links. When the rows fail part-way the file is
    removed and the error raised; the rows are closed either way.
    """
    descriptor, path = tempfile.mkstemp(prefix="iprwatch-export-", suffix=".xlsx")
    os.close(descriptor)
    try:
        _write_workbook(path, rows)
    except BaseException:
        os.unlink(path)  # a failed export leaves no half-written file behind
        raise
    finally:
        rows.close()
    return path


def _write_workbook(path: str, rows: Iterator[list[str]]) -> None:
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(path, options)
    sheet = workbook.add_worksheet("items")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    try:
        for number, row in enumerate(rows, 1):
            sheet.write_row(number, 0, row)
            url = row[_URL_COLUMN]
            if _links_in_excel(url):
                sheet.write_url(number, _URL_COLUMN, url, string=url)
    finally:
        workbook.close()  # also removes the row files constant-memory mode keeps meanwhile


def _links_in_excel(url: str) -> bool:
    """Whether an item URL is written as a link: an ``http(s)`` URL Excel can hold."""
    return url.startswith(("https://", "http://")) and len(url) <= MAX_XLSX_URL_CHARS
