"""Products and how to present them: lifecycle, USP directions and dimensions, FFAB (产品呈现)."""
from __future__ import annotations

from enum import StrEnum


class Lifecycle(StrEnum):
    new = "new"          # just launched: the call list is worked now
    current = "current"  # on sale
    retired = "retired"  # no longer offered: never suggested, never launched


# A retired product may come back on sale; nothing becomes "new" again (an upgrade is a launch
# of kind "upgrade" on a current product, not a new product).
ALLOWED_LIFECYCLE: dict[Lifecycle, set[Lifecycle]] = {
    Lifecycle.new: {Lifecycle.current, Lifecycle.retired},
    Lifecycle.current: {Lifecycle.retired},
    Lifecycle.retired: {Lifecycle.current},
}


class UspDirection(StrEnum):
    """Where the difference lies (独特销售主张的方向): what only we offer, seen from the buyer."""

    product = "product"    # 产品: the thing itself
    service = "service"    # 服务: delivery, installation, support, warranty
    price = "price"        # 价格: cost of ownership, terms, financing
    channel = "channel"    # 渠道: where and how fast it can be had
    brand = "brand"        # 品牌: reputation, endorsements, standing


class UspDimension(StrEnum):
    """The measurable side of the difference (维度)."""

    function = "function"          # 功能
    performance = "performance"    # 性能
    quality = "quality"            # 品质 / durability
    capacity = "capacity"          # 容量 / scale
    design = "design"              # 外观 / style
    technology = "technology"      # 技术 / process
    convenience = "convenience"    # 便利
    speed = "speed"                # 时效
    cost = "cost"                  # 成本
    safety = "safety"              # 安全
    support = "support"            # 服务保障
    reputation = "reputation"      # 口碑
    other = "other"


def check_lifecycle(current: Lifecycle, wanted: Lifecycle) -> str | None:
    """None when the move is allowed, otherwise why not."""
    if wanted == current or wanted in ALLOWED_LIFECYCLE[current]:
        return None
    return f"A {current} product cannot become {wanted}"


def name_key(name: str) -> str:
    """How product names are compared: case-folded, spaces squeezed (purchase lines are typed)."""
    return " ".join(name.split()).casefold()
