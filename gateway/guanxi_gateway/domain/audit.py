"""Which proxied requests touch a customer's personal data (个人信息), and how."""
from __future__ import annotations

import re

PERSONAL = {"customers", "contacts", "purchases", "notes", "occasions", "privacy", "360"}
_CUSTOMER_IN_PATH = re.compile(r"(?:^|/)customers/([^/?]+)")


def audit_action(method: str, path: str) -> str | None:
    """'read', 'change', 'export' or 'erase' for a personal-data request; None otherwise.

    `path` is the path after /api/v1/, e.g. 'registry/customers/abc/contacts'.
    """
    parts = [p for p in path.split("/") if p]
    if not PERSONAL.intersection(parts):
        return None
    if "privacy" in parts:
        return "erase" if method == "DELETE" else "export"
    return "read" if method in ("GET", "HEAD") else "change"


def customer_in(path: str, query: dict[str, str]) -> str | None:
    match = _CUSTOMER_IN_PATH.search(path)
    if match and match.group(1) not in ("search", "import", "imports"):
        return match.group(1)
    return query.get("customer_id")
