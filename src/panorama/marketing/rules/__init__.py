"""Segment rules: validated JSON compiled to ONE query (``Q`` with ``Exists`` subqueries).

A rule is a group or a condition::

    {"op": "and" | "or", "rules": [rule, ...]}
    {"op": "not", "rule": rule}
    {"field": "<name>", "op": "<operator>", "value": ..., "channel": ..., "status": ...}

Fields (``FIELDS``): the customer's own fields (``status``, ``kind``, ``language``,
``birth_date``, ``created_at``, ``city``), custom fields (``custom.<key>``, typed by
their definition), ``identity`` (present/absent by kind), ``group`` (member of a group,
or of any group of a kind), ``holding`` (a product held, by code or category, present
or absent), ``billing_incident`` (open incidents, by kind), ``contacted`` (an
interaction within N days, by channel/outcome/direction), ``consent`` (the newest
decision for a purpose and channel is a yes), the customer's activity in other apps
(``activity.py``: opportunities, cases, orders, web visits, holdings about to end), and
the fields other apps register
(``score.*``: the analytics models' scores, see ``field_register``). A bad rule raises
``ValidationFailed`` whose ``field`` is the rule's path (``rules.2.value``) and whose
message names the field.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.channels.models import Interaction
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import (
    Address,
    BillingIncident,
    Consent,
    Customer,
    CustomFieldDefinition,
    Group,
    Holding,
    Identity,
)

MAX_DEPTH = 6
MAX_CONDITIONS = 50

# Operators per value type.
SCALAR_OPS = {
    "text": ["eq", "ne", "contains", "in", "is_empty", "is_set"],
    "choice": ["eq", "ne", "in", "is_empty", "is_set"],
    "integer": ["eq", "ne", "gt", "gte", "lt", "lte", "is_empty", "is_set"],
    "decimal": ["eq", "ne", "gt", "gte", "lt", "lte", "is_empty", "is_set"],
    "date": ["eq", "before", "after", "is_empty", "is_set"],
    "boolean": ["eq", "is_empty", "is_set"],
}
PRESENCE_OPS = ["has", "has_not"]
RECENCY_OPS = ["within_days", "not_within_days"]
UPCOMING_OPS = ["within_next_days", "not_within_next_days"]

OP_LABELS: dict[str, Promise] = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "in": gettext_lazy("is one of"),
    "is_empty": gettext_lazy("is empty"),
    "is_set": gettext_lazy("is set"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
    "before": gettext_lazy("before"),
    "after": gettext_lazy("after"),
    "has": gettext_lazy("has"),
    "has_not": gettext_lazy("has not"),
    "within_days": gettext_lazy("in the last N days"),
    "not_within_days": gettext_lazy("not in the last N days"),
    "within_next_days": gettext_lazy("in the next N days"),
    "not_within_next_days": gettext_lazy("not in the next N days"),
}


@dataclass(frozen=True)
class Field:
    name: str
    label: Promise | str
    type: str  # a SCALAR_OPS key, or "presence" / "recency" / "activity"
    choices: Callable[[], list[tuple[str, str]]] | None = None
    column: str = ""  # the customer's column (scalar fields)
    # "activity" fields (``activity.py``): their operators, what their value means, and
    # the rule's second, optional key the builder shows as one more input.
    op_list: tuple[str, ...] = ()
    value_label: Promise | str = ""
    input: str = ""  # the value's HTML input type
    extra: str = ""
    extra_label: Promise | str = ""

    @property
    def ops(self) -> list[str]:
        if self.op_list:
            return list(self.op_list)
        if self.type == "presence":
            return PRESENCE_OPS
        if self.type == "recency":
            return RECENCY_OPS
        return SCALAR_OPS[self.type]


def _choices(model_choices) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(str(v), str(label)) for v, label in model_choices]


def _products() -> list[tuple[str, str]]:
    rows = Holding.objects.values_list("product_code", "product_name").distinct()
    seen: dict[str, str] = {}
    for code, name in rows.order_by("product_code")[:500]:
        seen.setdefault(code, f"{name} ({code})")
    return list(seen.items())


BASE_FIELDS = [
    Field("status", gettext_lazy("Status"), "choice", _choices(Customer.Status.choices), "status"),
    Field("kind", gettext_lazy("Kind"), "choice", _choices(Customer.Kind.choices), "kind"),
    Field("language", gettext_lazy("Language"), "text", column="language"),
    Field("birth_date", gettext_lazy("Birth date"), "date", column="birth_date"),
    Field("created_at", gettext_lazy("Customer since"), "date", column="created_at__date"),
    Field("city", gettext_lazy("City"), "text", column="addresses__city"),
    Field("holding", gettext_lazy("Product held"), "presence", _products),
    Field("holding_category", gettext_lazy("Product category held"), "presence"),
    Field("identity", gettext_lazy("Identifier"), "presence", _choices(Identity.Kind.choices)),
    Field("group", gettext_lazy("Member of group (id)"), "presence"),
    Field(
        "group_kind",
        gettext_lazy("Member of a group of kind"),
        "presence",
        _choices(Group.Kind.choices),
    ),
    Field(
        "billing_incident",
        gettext_lazy("Open billing incident"),
        "presence",
        lambda: [("any", str(gettext_lazy("Any"))), *_choices(BillingIncident.Kind.choices)()],
    ),
    Field("contacted", gettext_lazy("Contacted"), "recency"),
    Field("consent", gettext_lazy("Consent given"), "presence", _choices(Consent.Purpose.choices)),
]
CONTACT_CHANNELS = [("", gettext_lazy("Any channel")), *Interaction.Channel.choices]
CONSENT_CHANNELS = Consent.Channel.choices


# Fields other apps contribute (``analytics`` registers its scores from ``ready()``): a
# scalar column reached from the customer (``score__churn_risk``), compiled like the
# customer's own fields. The dependency points down: they import this module.
REGISTERED_FIELDS: dict[str, Field] = {}


def field_register(field: Field) -> None:
    """Add a scalar field on a column reached from the customer to the catalogue."""
    if field.type not in SCALAR_OPS or not field.column:
        raise ValueError(field.name)
    REGISTERED_FIELDS[field.name] = field


def fields() -> dict[str, Field]:
    """The base fields, the registered ones and one per custom field definition (read
    now: definitions change)."""
    catalogue = {f.name: f for f in BASE_FIELDS}
    catalogue.update({f.name: f for f in activity.FIELDS})
    catalogue.update(REGISTERED_FIELDS)
    for definition in CustomFieldDefinition.objects.all():
        kind = "choice" if definition.type == "choice" else definition.type
        choices = None
        if definition.type == "choice":
            options = list(definition.choices)
            choices = lambda options=options: [(c, c) for c in options]  # noqa: E731
        catalogue[f"custom.{definition.key}"] = Field(
            f"custom.{definition.key}",
            definition.label,
            kind,
            choices,
            f"custom_fields__{definition.key}",
        )
    return catalogue


# --- validation ----------------------------------------------------------------------------


def _fail(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field=path)


def _typed(field: Field, value: Any, path: str) -> Any:
    """The value converted to the field's type, or a clear error naming the field."""
    label = str(field.label)
    wrong = _("%(field)s expects %(type)s, not %(value)r.")
    if field.type in ("text", "choice"):
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise _fail(path, wrong % {"field": label, "type": _("text"), "value": value})
        value = str(value)
        if field.type == "choice" and field.choices is not None:
            allowed = {c for c, _label in field.choices()}
            if value not in allowed:
                raise _fail(
                    path,
                    _("%(value)r is not a choice of %(field)s (%(choices)s).")
                    % {"value": value, "field": label, "choices": ", ".join(sorted(allowed))},
                )
        return value
    if field.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _fail(path, wrong % {"field": label, "type": _("a whole number"), "value": value})
        try:
            number = int(value)
            if not -(2**63) < number < 2**63:  # what a database column holds
                raise ValueError
            return number
        except ValueError:
            raise _fail(
                path, wrong % {"field": label, "type": _("a whole number"), "value": value}
            ) from None
    if field.type == "decimal":
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value))
            if not amount.is_finite():
                raise InvalidOperation
            return amount
        except InvalidOperation:
            raise _fail(
                path, wrong % {"field": label, "type": _("a number"), "value": value}
            ) from None
    if field.type == "date":
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise _fail(
                path, wrong % {"field": label, "type": _("a date (YYYY-MM-DD)"), "value": value}
            )
        return parsed
    if field.type == "boolean":
        if not isinstance(value, bool):
            raise _fail(path, wrong % {"field": label, "type": _("true or false"), "value": value})
        return value
    return value


def validate(rule: Any, *, catalogue: dict[str, Field] | None = None) -> dict:
    """The rule checked and normalised (types converted back to JSON), or
    ``ValidationFailed`` naming the faulty field and its path."""
    catalogue = catalogue if catalogue is not None else fields()
    counter = [0]
    return _validate(rule, "rules", 0, catalogue, counter)


def _validate(rule: Any, path: str, depth: int, catalogue: dict[str, Field], counter) -> dict:
    if not isinstance(rule, dict):
        raise _fail(path, _("A rule is an object with an operator."))
    if depth > MAX_DEPTH:
        raise _fail(path, _("Rules nest at most %(n)s levels deep.") % {"n": MAX_DEPTH})
    op = rule.get("op")
    if "field" not in rule:
        if op in ("and", "or"):
            children = rule.get("rules")
            if not isinstance(children, list):
                raise _fail(f"{path}.rules", _("A group needs a list of rules."))
            return {
                "op": op,
                "rules": [
                    _validate(child, f"{path}.rules.{i}", depth + 1, catalogue, counter)
                    for i, child in enumerate(children)
                ],
            }
        if op == "not":
            return {
                "op": "not",
                "rule": _validate(rule.get("rule"), f"{path}.rule", depth + 1, catalogue, counter),
            }
        raise _fail(f"{path}.op", _("Unknown group operator %(op)r: and, or, not.") % {"op": op})
    counter[0] += 1
    if counter[0] > MAX_CONDITIONS:
        raise _fail(path, _("A segment has at most %(n)s conditions.") % {"n": MAX_CONDITIONS})
    name: str = rule.get("field")  # type: ignore[assignment]
    field = catalogue.get(name) if isinstance(name, str) else None
    if field is None:
        raise _fail(f"{path}.field", _("Unknown field %(field)r.") % {"field": name})
    if op not in field.ops:
        raise _fail(
            f"{path}.op",
            _("%(field)s takes the operators %(ops)s, not %(op)r.")
            % {"field": field.label, "ops": ", ".join(field.ops), "op": op},
        )
    out: dict[str, Any] = {"field": name, "op": op}
    value = rule.get("value")
    vpath = f"{path}.value"
    if op in ("is_empty", "is_set"):
        return out
    if field.type == "activity":
        return activity.validate(field, rule, out, path)
    if field.type == "recency":
        days = _typed(Field(name, field.label, "integer"), value, vpath)
        if not 0 < days <= 36500:
            raise _fail(
                vpath,
                _("%(field)s: the days must be between 1 and 36500.") % {"field": field.label},
            )
        out["value"] = days
        channel = rule.get("channel") or ""
        if channel and channel not in Interaction.Channel.values:
            raise _fail(f"{path}.channel", _("Unknown channel %(c)r.") % {"c": channel})
        out["channel"] = channel
        outcome = rule.get("outcome") or ""
        if not isinstance(outcome, str):
            raise _fail(f"{path}.outcome", _("The outcome is text."))
        out["outcome"] = outcome
        return out
    if field.type == "presence":
        if name in ("group",):
            out["value"] = _typed(Field(name, field.label, "integer"), value, vpath)
        elif name == "holding" and isinstance(value, list):
            if not value:
                raise _fail(
                    vpath, _("%(field)s needs at least one product.") % {"field": field.label}
                )
            out["value"] = [_typed(Field(name, field.label, "text"), v, vpath) for v in value]
        elif name == "holding" or name == "holding_category":
            out["value"] = _typed(Field(name, field.label, "text"), value, vpath)
        else:
            out["value"] = _typed(field, value, vpath)
        if not out["value"] and out["value"] != 0:
            raise _fail(vpath, _("%(field)s needs a value.") % {"field": field.label})
        if name == "consent":
            channel = rule.get("channel") or Consent.Channel.ANY
            if channel not in Consent.Channel.values:
                raise _fail(f"{path}.channel", _("Unknown channel %(c)r.") % {"c": channel})
            out["channel"] = channel
        return out
    if op == "in":
        if not isinstance(value, list) or not value:
            raise _fail(
                vpath, _('%(field)s: "is one of" needs a list of values.') % {"field": field.label}
            )
        out["value"] = [_json(_typed(field, v, vpath)) for v in value]
    else:
        out["value"] = _json(_typed(field, value, vpath))
    return out


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- compilation ---------------------------------------------------------------------------


def consent_granted(purpose: str, channel: str, outer: str = "pk") -> Exists:
    """The customer's newest decision for ``purpose`` on ``channel`` (or on any channel) is
    a yes. Consent rows are never updated (a withdrawal is a new row), so the newest row
    is the state; one correlated subquery on the ``consent_current`` index."""
    channels = [channel] if channel == Consent.Channel.ANY else [channel, Consent.Channel.ANY]
    newest = (
        Consent.objects.filter(
            customer_id=OuterRef("customer_id"), purpose=purpose, channel__in=channels
        )
        .order_by("-at", "-id")
        .values("pk")[:1]
    )
    return Exists(
        Consent.objects.filter(
            customer_id=OuterRef(outer),
            purpose=purpose,
            channel__in=channels,
            granted=True,
            pk=Subquery(newest),
        )
    )


def compile_rule(rule: dict, *, catalogue: dict[str, Field] | None = None) -> Q:
    """A validated rule as a ``Q`` over ``Customer`` (validate first)."""
    catalogue = catalogue if catalogue is not None else fields()
    now = timezone.now()
    return _compile(rule, catalogue, now)


def _compile(rule: dict, catalogue: dict[str, Field], now: datetime.datetime) -> Q:
    op = rule["op"]
    if "field" not in rule:
        if op == "not":
            return ~_compile(rule["rule"], catalogue, now)
        parts = [_compile(child, catalogue, now) for child in rule["rules"]]
        if not parts:
            return Q()
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if op == "and" else combined | part
        return combined
    name, value = rule["field"], rule.get("value")
    field = catalogue[name]
    if field.type == "activity":
        return activity.compile_condition(field, rule, now)
    if field.type == "recency":
        since = now - datetime.timedelta(days=int(value or 0))
        if not rule.get("channel") and not rule.get("outcome"):
            # Any interaction since then: the customer's newest is (a column of his row,
            # kept by the triggers of channels/last_contact.py; NULL: never contacted,
            # which "not within" keeps: Django adds the IS NOT NULL under the NOT).
            q = Q(last_contact_at__gte=since)
            return q if op == "within_days" else ~q
        interactions = Interaction.objects.filter(
            customer_id=OuterRef("pk"), occurred_at__gte=since
        )
        if rule.get("channel"):
            interactions = interactions.filter(channel=rule["channel"])
        if rule.get("outcome"):
            interactions = interactions.filter(outcome__iexact=rule["outcome"])
        q = Q(Exists(interactions))
        return q if op == "within_days" else ~q
    if field.type == "presence":
        if name == "holding" and op == "has":
            return _holders(value)
        q = _presence(name, value, rule)
        return q if op == "has" else ~q
    column = field.column
    if column.startswith("addresses__"):
        # Through a subquery, not a join: a customer with two addresses counts once.
        address_q = _scalar(column.removeprefix("addresses__"), field, op, value)
        return Q(Exists(Address.objects.filter(address_q, customer_id=OuterRef("pk"))))
    return _scalar(column, field, op, value)


def _scalar(column: str, field: Field, op: str, value: Any) -> Q:
    if op == "is_empty":
        return Q(**{f"{column}__isnull": True}) | (
            Q(**{column: ""}) if field.type in ("text", "choice") else Q(pk__in=[])
        )
    if op == "is_set":
        q = Q(**{f"{column}__isnull": False})
        return q & ~Q(**{column: ""}) if field.type in ("text", "choice") else q
    lookup = {
        "eq": "",
        "gt": "__gt",
        "gte": "__gte",
        "lt": "__lt",
        "lte": "__lte",
        "before": "__lt",
        "after": "__gt",
        "in": "__in",
        "contains": "__icontains",
    }
    if op == "ne":
        return ~Q(**{column: value}) | Q(**{f"{column}__isnull": True})
    if field.type == "decimal" and not column.startswith("custom_fields"):
        value = Decimal(value)
    # "AND IS NOT NULL": a missing value makes the comparison false, never NULL, so a
    # NOT around it keeps the customers who lack the value (SQL's three-valued logic).
    return Q(**{f"{column}{lookup[op]}": value}) & Q(**{f"{column}__isnull": False})


# At the end: ``activity`` and ``presence`` build on the names above.
from . import activity  # noqa: E402
from .presence import _holders, _presence  # noqa: E402
