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
    # The ficha's tab the panel is shown on (TABS); the 360 API carries every panel.
    tab: str = "overview"
    # Query parameters of the ficha's address the selector reads (the timeline's
    # ?channel=): it is then called with params={name: value, ...} ("" when absent).
    params: tuple[str, ...] = ()


# The ficha's tabs, in order: key (the ?tab= of its address) and label.
TABS = [
    ("overview", _("Overview")),
    ("sales", _("Sales")),
    ("service", _("Service")),
    ("details", _("Details")),
    ("history", _("History")),
]
TAB_KEYS = frozenset(key for key, _label in TABS)

_registry: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    if panel.tab not in TAB_KEYS:
        raise ValueError(
            f"Panel {panel.key!r}: unknown ficha tab {panel.tab!r} (one of {sorted(TAB_KEYS)})"
        )
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
        tab=tab,
    )
    for key, title, empty, order, tab in [
        ("alerts", _("Alerts"), _("No alerts"), 5, "overview"),
        ("opportunities", _("Open opportunities"), _("No open opportunities"), 20, "sales"),
        ("cases", _("Open cases"), _("No open cases"), 30, "service"),
        ("segments", _("Segments"), _("In no segment"), 40, "details"),
        ("scores", _("Scores"), _("No scores yet"), 50, "details"),
    ]
}


# --- presence: what the ficha's panels would find, read with the customer's own row ----
#
# Most customers have no quote, alert, asset or loyalty card: a panel's query for them
# would find nothing. An app registers an ``Exists`` over the customer (``OuterRef("pk")``)
# for the rows its panel reads; ``customer_360`` reads every such flag as a column of the
# customer's query, and the panel's selector, asked through ``present``, skips its query
# when there is nothing. A flag may cover more rows than the panel shows (other users'
# quotes): it only ever saves a query that would have found nothing.
_presence: dict[str, Callable[[], Any]] = {}


def register_presence(key: str, expression: Callable[[], Any]) -> None:
    """``expression()``: an ``Exists`` that is false when the customer has no ``key``."""
    _presence[key] = expression


def presence_annotations() -> dict[str, Any]:
    return {f"present_{key}": make() for key, make in _presence.items()}


def present(customer, key: str) -> bool:
    """False only when ``customer`` was read with the presence flags and has no ``key``
    rows (a customer read otherwise: True, the selector queries as usual)."""
    return getattr(customer, f"present_{key}", True) is not False


def panels_for(user) -> list[Panel]:
    panels = {**EXPECTED, **_registry}
    return sorted(
        (p for p in panels.values() if p.visible_to is None or p.visible_to(user)),
        key=lambda p: (p.order, p.key),
    )


def panel_data(panel: Panel, *, customer, user, params=None) -> Any:
    """What ``panel``'s selector gives for this customer (and the address's parameters)."""
    if not panel.params:
        return panel.selector(customer=customer, user=user)
    given = params or {}
    return panel.selector(
        customer=customer, user=user, params={name: given.get(name, "") for name in panel.params}
    )


def panel_api_data(panel: Panel, data: Any) -> Any:
    """The JSON form of a panel's data for the 360 API."""
    if panel.schema is None:
        return data
    if isinstance(data, list | tuple):
        return [panel.schema.from_orm(item).model_dump(mode="json") for item in data]
    return panel.schema.from_orm(data).model_dump(mode="json")
