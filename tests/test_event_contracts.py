"""Event contracts are code: every publish site and handler table names `EventType` members, the
gateway's webhook list is the whole enum, and docs/events.md describes every member with the
fields of its payload model."""
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
    assert {kind for _, kind in keys} == {"EventType"}, f"{service} keys handlers by strings"


def test_the_webhook_list_is_the_catalogue():
    assert {k for k, _ in keys_of(TABLES["gateway"])} == set(EventType)


def test_every_event_type_has_a_payload_model():
    assert set(PAYLOADS) == set(EventType)


def documented_rows() -> dict[str, str]:
    """The catalogue table of docs/events.md: each type in a row's first cell, with its row."""
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    table = text.split("| type | publisher | data |\n", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[1:]:
        first = line.split("|")[1]
        rows.update(dict.fromkeys(re.findall(r"`([a-z_]+\.[a-z_]+)`", first), line))
    return rows


def test_docs_describe_every_event_type_and_no_other():
    rows = documented_rows()
    assert sorted(set(EventType) - set(rows)) == [], "docs/events.md misses these types"
    assert sorted(set(rows) - set(EventType)) == [], "docs/events.md names unknown types"


@pytest.mark.parametrize("event_type", list(EventType), ids=str)
def test_docs_name_every_field_consumers_may_rely_on(event_type):
    row = documented_rows()[event_type]
    words = set(re.findall(r"[a-z_]+", row))
    missing = [f for f in PAYLOADS[event_type].model_fields if f not in words]
    assert not missing, f"docs/events.md's row for {event_type} does not name {missing}"


def test_every_publish_site_passes_an_event_type_member():
    """publish refuses anything else at run time; this finds a site no test reaches."""
    sites = re.compile(r"publish(?:_many)?\(\s*session=\w+,\s*event_type=([^,)]+)")
    found = {}
    for path in [*ROOT.glob("services/*/guanxi_*/**/*.py"), *ROOT.glob("gateway/**/*.py")]:
        for arg in sites.findall(path.read_text(encoding="utf-8")):
            found.setdefault(arg, str(path.relative_to(ROOT)))
    assert len(found) > 10, "few publish call sites found: the pattern is out of date"
    members = {f"EventType.{e.name}" for e in EventType}
    assert {arg: path for arg, path in found.items() if arg not in members} == {}
