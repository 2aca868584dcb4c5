"""The ficha is composed of panels that each app registers.

``customers`` owns the page and imports no app above it. An app contributes a panel
with its own selector (bounded queries, whatever the customer's history), template
partial and permission; the ficha page and the 360 API iterate over the registry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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


def _nothing(*, customer, user) -> list:
    return []


# Sections every ficha shows (DESIGN.md, "the 360 view"). The app that owns one
# registers a panel under its key and fills it; until then the section is there, empty,
# at no query's cost, and the 360 API always carries the key.
EXPECTED = {
    key: Panel(
        key=key,
        title=title,
        selector=_nothing,
        template="customers/_empty_panel.html",
        order=order,
        options={"empty": empty},
    )
    for key, title, empty, order in [
        ("alerts", _("Alerts"), _("No alerts"), 5),
        ("opportunities", _("Open opportunities"), _("No open opportunities"), 20),
        ("cases", _("Open cases"), _("No open cases"), 30),
        ("segments", _("Segments"), _("In no segment"), 40),
        ("scores", _("Scores"), _("No scores yet"), 50),
    ]
}


def panels_for(user) -> list[Panel]:
    panels = {**EXPECTED, **_registry}
    return sorted(
        (p for p in panels.values() if p.visible_to is None or p.visible_to(user)),
        key=lambda p: (p.order, p.key),
    )


def panel_api_data(panel: Panel, data: Any) -> Any:
    """The JSON form of a panel's data for the 360 API."""
    if panel.schema is None:
        return data
    if isinstance(data, list | tuple):
        return [panel.schema.from_orm(item).model_dump(mode="json") for item in data]
    return panel.schema.from_orm(data).model_dump(mode="json")
