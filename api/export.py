"""Exporting a search result set as CSV (streamed) or XLSX (written in constant memory).

At most ``EXPORT_CAP`` items are exported; the route says so in a header when the result set
is larger (``X-Export-Truncated``, ``X-Export-Total``), never in the data.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from typing import Any

from api.services import run_search

EXPORT_CAP = 10_000
# A CSV cell starting with one of these runs as a formula in a spreadsheet (CSV injection;
# a leading tab or carriage return is dropped by some and the rest read as a formula).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("id", "published_at", "title", "kind", "jurisdictions", "chains", "source", "url")
_PAGE = 100
_URL_COLUMN = COLUMNS.index("url")
MAX_XLSX_URL_CHARS = 2079
"""Excel's limit for a hyperlink: a longer item URL is written as plain text."""


def iter_rows(params: dict[str, Any], cap: int = EXPORT_CAP) -> Iterator[list[str]]:
    """The result set's rows as plain text, page by page through the cursor, at most ``cap``
    of them (lists joined by ``; ``)."""
    cursor: str | None = None
    sent = 0
    while sent < cap:
        page = run_search(**params, limit=min(_PAGE, cap - sent), cursor=cursor)
        for hit in page["hits"]:
            yield [_cell(hit.get(column)) for column in COLUMNS]
            sent += 1
        cursor = page.get("next_cursor")
        if not cursor or not page["hits"]:
            return


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def csv_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """CSV with a UTF-8 BOM (so Excel reads Chinese correctly), one chunk per 200 rows; cells
    that would run as formulas are quoted (``csv_safe``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for number, row in enumerate(rows, 1):
        writer.writerow([csv_safe(cell) for cell in row])
        if number % 200 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(rows: Iterator[list[str]]) -> str:
    """Write the rows to a temporary XLSX file (constant memory); returns its path.

    Cells are written as the text they are: never as a formula, and never as a hyperlink
    (xlsxwriter would turn a title starting ``external:`` into a link to a file share and
    drop a URL over Excel's limit, leaving the cell empty); only the ``url`` column's
    ``http(s)`` URLs within that limit are links.
    """
    import xlsxwriter

    descriptor, path = tempfile.mkstemp(prefix="iprwatch-export-", suffix=".xlsx")
    os.close(descriptor)
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(path, options)
    sheet = workbook.add_worksheet("items")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    for number, row in enumerate(rows, 1):
        sheet.write_row(number, 0, row)
        url = row[_URL_COLUMN]
        if _links_in_excel(url):
            sheet.write_url(number, _URL_COLUMN, url, string=url)
    workbook.close()
    return path


def _links_in_excel(url: str) -> bool:
    """Whether an item URL is written as a link: an ``http(s)`` URL Excel can hold."""
    return url.startswith(("https://", "http://")) and len(url) <= MAX_XLSX_URL_CHARS
