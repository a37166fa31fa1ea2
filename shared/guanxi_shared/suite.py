"""The suite's processes: their apps, local ports and who hears whose events.

deploy/ is checked against these (tests/test_deploy.py); guanxi_testing.runner starts them
locally for `make run` and the cross-service tests.
"""
from __future__ import annotations

APPS = {
    "registry": "guanxi_registry.main:create_app",
    "segmentation": "guanxi_segmentation.main:create_app",
    "engagement": "guanxi_engagement.main:create_app",
    "needs": "guanxi_needs.main:create_app",
    "gateway": "guanxi_gateway.main:create_app",
}
DEFAULT_PORTS = {"gateway": 8000, "registry": 8001, "segmentation": 8002, "engagement": 8003,
                 "needs": 8004}
# Who hears whose events (the gateway relays them to webhooks).
SUBSCRIPTIONS = {
    "registry": ["segmentation", "engagement", "needs", "gateway"],
    "needs": ["registry", "segmentation", "engagement", "gateway"],
    "segmentation": ["engagement", "gateway"],
    "engagement": ["segmentation", "needs", "gateway"],
    "gateway": [],
}
