"""Event contracts are code: every handler table, the gateway's webhook list and docs/events.md
name only (and, for the docs, all) members of `EventType`."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from guanxi_shared.event_types import PAYLOADS, EventType

ROOT = Path(__file__).resolve().parent.parent
# each service declares its own tables on the shared metadata: one process per service
TABLES = {"registry": "guanxi_registry.events:HANDLERS",
          "segmentation": "guanxi_segmentation.events:HANDLERS",
          "engagement": "guanxi_engagement.events:HANDLERS",
          "needs": "guanxi_needs.events:HANDLERS",
          "gateway": "guanxi_gateway.webhooks:EVENT_TYPES"}


def keys_of(target: str) -> list[str]:
    module, name = target.split(":")
    code = (f"import json, {module} as m; t = m.{name}; "
            "print(json.dumps([[str(k), type(k).__name__] for k in t]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                         check=True, cwd=ROOT).stdout
    return json.loads(out)


@pytest.mark.parametrize("service", sorted(TABLES))
def test_every_handler_key_is_an_event_type(service):
    keys = keys_of(TABLES[service])
    assert keys, f"{service} handles no event type at all"
    unknown = sorted({k for k, _ in keys} - set(EventType))
    assert not unknown, f"{service} handles types that are not EventType members: {unknown}"


def test_the_webhook_list_is_the_catalogue():
    keys = keys_of(TABLES["gateway"])
    assert {k for k, _ in keys} == set(EventType)
    assert {kind for _, kind in keys} == {"EventType"}


def test_every_event_type_is_published_to_someone_and_described():
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", text))
    missing = sorted(set(EventType) - named)
    assert not missing, f"docs/events.md does not describe {missing}"


def test_every_event_type_has_a_payload_model():
    assert set(PAYLOADS) == set(EventType)


def test_every_published_literal_is_an_event_type():
    """A publish call site with a misspelt literal would raise at run time; find it now."""
    sites = re.compile(r"publish(?:_many)?\(\s*session=\w+,\s*event_type=\"([^\"]+)\"")
    found = {}
    for path in [*ROOT.glob("services/*/guanxi_*/**/*.py"), *ROOT.glob("gateway/**/*.py")]:
        for name in sites.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, path.relative_to(ROOT))
    assert found, "no publish call sites found: the pattern is out of date"
    unknown = {name: str(path) for name, path in found.items() if name not in set(EventType)}
    assert not unknown, unknown
