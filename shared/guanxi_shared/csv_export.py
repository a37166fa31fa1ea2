"""CSV downloads of any list, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell starting with =, +, -, @ (or tab/CR) would run as a formula: prefix a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[dict[str, Any]], columns: list[str], filename: str) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads the UTF-8 Chinese text correctly
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(row.get(c)) for c in columns])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(filename)})


def attachment(filename: str, fallback: str = "export.csv") -> str:
    """A Content-Disposition for a download whose name holds user input (RFC 6266).

    Only letters, digits, `-`, `_` and `.` are kept (no path, quote or control character).
    A header is Latin-1 at most, so a name like `customers-高价值.csv` goes in `filename*`,
    UTF-8 and percent-encoded (RFC 5987), which current browsers prefer; `filename` keeps an
    ASCII version (each run of other characters as one `_`) for older clients.
    """
    name = "".join(ch for ch in unicodedata.normalize("NFC", filename)
                   if ch.isalnum() or ch in "-_.").lstrip(".")[:150] or fallback
    ascii_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    if ascii_name == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
