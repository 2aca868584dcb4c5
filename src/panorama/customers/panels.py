"""The ficha is composed of panels that each app registers.

``customers`` owns the page and imports no app above it. An app contributes a panel
with its own selector (bounded queries, whatever the customer's history), template
partial and permission; the ficha page and the 360 API iterate over the registry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Panel:
    key: str
    title: str | Promise
    # selector(customer=..., user=...) -> JSON-serialisable data for the API and template
    selector: Callable[..., Any]
    template: str
    order: int = 100
    # A predicate on the user; None means everyone who can see the customer.
    visible_to: Callable[[Any], bool] | None = None
    # A ninja Schema for one item: the API returns [schema(item) for item in data].
    schema: Any = None
    options: dict = field(default_factory=dict)


_registry: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    _registry[panel.key] = panel
    return panel


def panels_for(user) -> list[Panel]:
    return sorted(
        (p for p in _registry.values() if p.visible_to is None or p.visible_to(user)),
        key=lambda p: (p.order, p.key),
    )


def panel_api_data(panel: Panel, data: Any) -> Any:
    """The JSON form of a panel's data for the 360 API."""
    if panel.schema is None:
        return data
    if isinstance(data, list | tuple):
        return [panel.schema.from_orm(item).model_dump(mode="json") for item in data]
    return panel.schema.from_orm(data).model_dump(mode="json")
