"""A rule's conditions: a JSON tree checked at save (an unknown field is an error that
names it) and evaluated against an event and its customer, with the reason of each step.

    {"all": [node, ...]}    every node holds      {"any": [node, ...]}  one node holds
    {"not": node}           the node does not     {} or null            always holds
    {"field": "event.data.amount", "op": "gte", "value": 100000}       a comparison

Fields: ``event.<payload field>[.<key>...]`` (the event's data, for an event trigger),
``customer.<field>``, ``customer.custom.<key>`` (a custom field), ``holdings.product_code``,
``holdings.category`` (the products he holds, active ones), ``holdings.count``,
``consent.<purpose>`` (true when his latest consent for it is granted), ``segment``
(``{"field": "segment", "op": "eq" | "ne", "value": <segment id>}``: the customer is, or
is not, in a marketing segment, checked with the segment's own SQL for him alone), and the
namespaces other apps register (``score.<field>``: the analytics models' scores, see
``namespace_register``).
"""

import functools
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

CUSTOMER_FIELDS = (
    "kind",
    "status",
    "first_name",
    "last_name",
    "legal_name",
    "display_name",
    "birth_date",
    "language",
    "owner_id",
    "team_id",
    "created_at",
)
HOLDING_FIELDS = ("product_code", "category", "count")
OPERATORS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "contains": "∋",
    "not_contains": "∌",
    "in": "∈",
    "exists": "∃",
    "missing": "∄",
}
NO_VALUE = {"exists", "missing"}
MAX_NODES = 100


@dataclass(frozen=True)
class Namespace:
    """Fields another app contributes: their names, and their values for one customer
    (one query, made the first time a rule reaches one of them)."""

    fields: tuple[str, ...]
    load: Callable[[Any], dict[str, Any]]
    # The values of many customers in one query ({customer id: values}), for a batch of
    # events or a scheduled rule's pass over every customer.
    load_many: Callable[[list[int]], dict[int, dict[str, Any]]] | None = None


# Registered from the contributing app's ``ready()``; the dependency points at this module.
NAMESPACES: dict[str, Namespace] = {}


def namespace_register(head: str, *, fields: tuple[str, ...], load, load_many=None) -> None:
    """``head.<field>`` becomes a condition field; ``load(customer)`` gives the values,
    ``load_many(customer_ids)`` those of many customers at once (optional)."""
    if head in ("event", "customer", "holdings", "consent", "segment"):
        raise ValueError(head)
    NAMESPACES[head] = Namespace(tuple(fields), load, load_many)


def subjects_preload(subjects: list["Subject"], heads: set[str]) -> None:
    """Read, for every subject's customer at once, what the conditions' ``heads`` will
    look at: active holdings, latest consents, and the registered namespaces that load
    many (one query each, whatever the number of subjects); the rest stays lazy."""
    from panorama.customers.models import Consent, Holding

    ids = list({s.customer.pk for s in subjects if s.customer is not None})
    if not ids:
        return
    if "holdings" in heads:
        holdings: dict[int, list] = {}
        for cid, code, category in Holding.objects.filter(
            customer_id__in=ids, status="active"
        ).values_list("customer_id", "product_code", "category"):
            holdings.setdefault(cid, []).append({"product_code": code, "category": category})
    if "consent" in heads:
        consents: dict[int, dict[str, bool]] = {}
        for cid, purpose, granted in (
            Consent.objects.filter(customer_id__in=ids)
            .order_by("at", "id")
            .values_list("customer_id", "purpose", "granted")
        ):
            consents.setdefault(cid, {})[purpose] = granted
    members = {sid: _segment_members(sid, ids) for sid in _segments_read(heads)}
    registered = {
        head: NAMESPACES[head].load_many(ids)  # type: ignore[misc]
        for head in heads
        if head in NAMESPACES and NAMESPACES[head].load_many is not None
    }
    for subject in subjects:
        customer = subject.customer
        if customer is None:
            continue
        if "holdings" in heads:
            subject._holdings = holdings.get(customer.pk, [])
        if "consent" in heads:
            subject._consents = consents.get(customer.pk, {})
        for head, values in registered.items():
            subject._registered[head] = values.get(customer.pk, {})
        for sid, inside in members.items():
            subject._segments[sid] = customer.pk in inside


def _segments_read(heads: set[str]) -> list[int]:
    """The segments a tree's ``heads`` say it tests (``segment:<id>``, see ``field_heads``)."""
    return sorted(int(h[8:]) for h in heads if h.startswith("segment:") and h[8:].isdigit())


def _segment_members(segment_id: int, customer_ids: list[int]) -> set[int]:
    """Which customers the segment holds now: its SQL restricted to them, one query."""
    from panorama.marketing.selectors import segment_members

    return segment_members(segment_id=segment_id, customer_ids=customer_ids)


def _purposes() -> list[str]:
    from panorama.customers.models import Consent

    return list(Consent.Purpose.values)


def _custom_keys() -> set[str]:
    from panorama.customers.models import CustomFieldDefinition

    return set(CustomFieldDefinition.objects.values_list("key", flat=True))


def known_fields(event: str | None) -> list[str]:
    """The fields a rule on ``event`` (None: a scheduled rule) may test, for the editor."""
    from panorama.core.events import catalogue

    names = []
    if event and event in catalogue:
        names += [f"event.{name}" for name in catalogue[event].model_fields]
    names += [f"customer.{f}" for f in CUSTOMER_FIELDS]
    names += [f"customer.custom.{k}" for k in sorted(_custom_keys())]
    names += [f"holdings.{f}" for f in HOLDING_FIELDS]
    names += [f"consent.{p}" for p in _purposes()]
    names.append("segment")
    for head, namespace in NAMESPACES.items():
        names += [f"{head}.{f}" for f in namespace.fields]
    return names


def _check_field(name: Any, event: str | None, custom: set[str]) -> None:
    from panorama.core.events import catalogue

    if not isinstance(name, str) or not name:
        raise ValidationFailed(_("A condition needs a field."), field="conditions")
    head, _dot, rest = name.partition(".")
    parts = rest.split(".") if rest else []
    ok = False
    if head == "event" and parts and event:
        schema = catalogue.get(event)
        info = schema.model_fields.get(parts[0]) if schema else None
        if info is not None:
            is_dict = typing.get_origin(info.annotation) is dict or info.annotation is dict
            ok = len(parts) == 1 or is_dict
    elif head == "customer" and parts:
        if parts[0] == "custom":
            ok = len(parts) == 2 and parts[1] in custom
        else:
            ok = len(parts) == 1 and parts[0] in CUSTOMER_FIELDS
    elif head == "holdings":
        ok = len(parts) == 1 and parts[0] in HOLDING_FIELDS
    elif head == "consent":
        ok = len(parts) == 1 and parts[0] in _purposes()
    elif head in NAMESPACES:
        ok = len(parts) == 1 and parts[0] in NAMESPACES[head].fields
    if not ok:
        if head == "event" and not event:
            message = _("A scheduled rule has no event data: %(f)s.") % {"f": name}
        else:
            message = _("Unknown field %(f)s.") % {"f": name}
        raise ValidationFailed(message, field="conditions")


def _check_segment(item: dict, user: Any) -> None:
    """A segment condition: "is" or "is not", and a segment ``user`` may see (an
    unknown one and one kept out of his sight get the same message)."""
    from panorama.core.exceptions import NotFound
    from panorama.marketing.selectors import segment_visible_get

    if item.get("op") not in ("eq", "ne"):
        raise ValidationFailed(
            _("A segment condition is “is” (eq) or “is not” (ne) a segment."),
            field="conditions",
        )
    try:
        segment_visible_get(user=user, segment_id=item.get("value"))
    except NotFound:
        raise ValidationFailed(
            _("Unknown segment %(s)s: give the id of a segment you can see.")
            % {"s": item.get("value")},
            field="conditions",
        ) from None


def conditions_validate(node: Any, *, event: str | None, user: Any = None) -> dict:
    """The tree as stored (``{}`` for none), or ValidationFailed naming what is wrong.
    ``user``: whose segments a segment condition may name (None: the system, all)."""
    if node in (None, {}, []):
        return {}
    custom = _custom_keys()
    count = [0]

    def walk(item: Any) -> None:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise ValidationFailed(
                _("A rule has at most %(n)s conditions.") % {"n": MAX_NODES}, field="conditions"
            )
        if not isinstance(item, dict):
            raise ValidationFailed(_("A condition must be an object."), field="conditions")
        keys = set(item)
        if keys in ({"all"}, {"any"}):
            children = item[next(iter(keys))]
            if not isinstance(children, list) or not children:
                raise ValidationFailed(
                    _("“all” and “any” take a non-empty list of conditions."), field="conditions"
                )
            for child in children:
                walk(child)
        elif keys == {"not"}:
            walk(item["not"])
        elif "field" in keys and keys <= {"field", "op", "value"} and item["field"] == "segment":
            _check_segment(item, user)
        elif "field" in keys and keys <= {"field", "op", "value"}:
            _check_field(item["field"], event, custom)
            if item.get("op") not in OPERATORS:
                raise ValidationFailed(
                    _("Unknown operator %(op)s.") % {"op": item.get("op")}, field="conditions"
                )
            if item["op"] not in NO_VALUE and "value" not in item:
                raise ValidationFailed(
                    _("The condition on %(f)s needs a value.") % {"f": item["field"]},
                    field="conditions",
                )
            if item["op"] == "in" and not isinstance(item["value"], list):
                raise ValidationFailed(
                    _("“in” takes a list of values (%(f)s).") % {"f": item["field"]},
                    field="conditions",
                )
        else:
            raise ValidationFailed(
                _("Unknown condition keys: %(k)s.") % {"k": ", ".join(sorted(map(str, keys)))},
                field="conditions",
            )

    walk(node)
    return node


@dataclass
class Subject:
    """What a rule looks at: the event's name and data, and its customer (if any)."""

    event: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    customer_given: Any = None
    # Loads the customer on first use (most events fail a rule's first test first).
    loader: Any = None
    _holdings: list | None = None
    _consents: dict[str, bool] | None = None
    _registered: dict[str, dict[str, Any]] = field(default_factory=dict)
    _segments: dict[int, bool] = field(default_factory=dict)

    @property
    def customer(self) -> Any:
        if self.customer_given is None and self.loader is not None:
            self.customer_given, self.loader = self.loader(), None
        return self.customer_given

    @customer.setter
    def customer(self, value: Any) -> None:
        self.customer_given, self.loader = value, None

    def holdings(self) -> list:
        if self._holdings is None:
            if self.customer is None:
                self._holdings = []
            else:
                self._holdings = list(
                    self.customer.holdings.filter(status="active").values(
                        "product_code", "category"
                    )
                )
        return self._holdings

    def consents(self) -> dict[str, bool]:
        if self._consents is None:
            latest: dict[str, bool] = {}
            if self.customer is not None:
                for purpose, granted in self.customer.consents.order_by("at", "id").values_list(
                    "purpose", "granted"
                ):
                    latest[purpose] = granted
            self._consents = latest
        return self._consents

    def in_segment(self, segment_id: int) -> bool:
        """Whether the customer is in the segment now (one query the first time, unless a
        batch preloaded it for every subject)."""
        if segment_id not in self._segments:
            customer = self.customer
            self._segments[segment_id] = customer is not None and customer.pk in (
                _segment_members(segment_id, [customer.pk])
            )
        return self._segments[segment_id]

    def registered(self, head: str) -> dict[str, Any]:
        if head not in self._registered:
            customer = self.customer
            self._registered[head] = {} if customer is None else NAMESPACES[head].load(customer)
        return self._registered[head]


_MISSING = object()


def field_heads(node: Any) -> set[str]:
    """What a tree reads: the heads of its fields ("event", "customer", "holdings",
    "consent"), so a batch loads holdings or consents only when a rule needs them."""
    heads: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        if "field" in item:
            head = str(item["field"]).partition(".")[0]
            heads.add(head)
            if head == "segment" and type(item.get("value")) is int:
                heads.add(f"segment:{item['value']}")
        for key in ("all", "any"):
            if isinstance(item.get(key), list):
                stack.extend(item[key])
        if "not" in item:
            stack.append(item["not"])
    return heads


@functools.lru_cache(maxsize=4096)
def _path(name: str) -> tuple[str, tuple[str, ...]]:
    head, _dot, rest = name.partition(".")
    return head, tuple(rest.split(".")) if rest else ()


def value_of(name: str, subject: Subject) -> Any:
    head, parts = _path(name)
    if head == "event":
        value: Any = subject.payload
        for part in parts:
            if not isinstance(value, dict) or part not in value:
                return _MISSING
            value = value[part]
        return value
    if head == "holdings":
        rows = subject.holdings()
        if parts[0] == "count":
            return len(rows)
        return [row[parts[0]] for row in rows]
    if head == "consent":
        return subject.consents().get(parts[0], _MISSING)
    if head in NAMESPACES:
        return subject.registered(head).get(parts[0], _MISSING)
    customer = subject.customer
    if customer is None:
        return _MISSING
    if parts[0] == "custom":
        return (customer.custom_fields or {}).get(parts[1], _MISSING)
    return getattr(customer, parts[0], _MISSING)


# Comparing and compiling (conditions/compiled.py) read what is above.
from .compiled import Check, Step, _compare, _shown, compile_conditions, evaluate  # noqa: E402

__all__ = ["Check", "Step", "_compare", "_shown", "compile_conditions", "evaluate"]
