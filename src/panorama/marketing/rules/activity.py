"""Segment conditions on what the customer does in the other apps: an open opportunity
(in a pipeline or any), an open case (of a type or any), an order placed in the last N
days, the total ordered, a web page visited in the last N days (the address containing a
text) and a product held ending in the next N days.

Each compiles to an ``Exists`` subquery correlated on the customer, so a segment stays
one SQL query whatever it combines. "Bought" means an order confirmed, shipped or
delivered (a draft or a cancelled order is not a purchase); its date is when it was
placed (``created_at``). Totals add the orders' ``total`` in the company currency, each
converted inside the SQL at the catalogue's exchange rate of its confirmation day (the rate
the campaign results use for orders; the day it was placed when it has no confirmation):
the newest rate valid on that day, or the currency's oldest rate for an order older than
every rate. A segment on totals is refused while orders sit in a currency with no rate at
all (named), so no order is silently left out of a sum.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case as CaseWhen,
)
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.automation.models import WebEvent
from panorama.catalog.models import ExchangeRate
from panorama.customers.models import Holding
from panorama.sales.models import Opportunity, Order, Pipeline
from panorama.service.models import Case

from . import PRESENCE_OPS, RECENCY_OPS, UPCOMING_OPS, Field, _fail, _json, _typed

BOUGHT = (Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.DELIVERED)
MAX_DAYS = 36500
MAX_AMOUNT = Decimal(10) ** 12
MAX_URL = 200


def _any(label) -> tuple[str, str]:
    return ("any", str(label))


def _pipelines() -> list[tuple[str, str]]:
    rows = Pipeline.objects.order_by("name", "id").values_list("pk", "name")[:200]
    return [_any(gettext_lazy("Any pipeline")), *((str(pk), name) for pk, name in rows)]


def _case_types() -> list[tuple[str, str]]:
    return [_any(gettext_lazy("Any type")), *((v, str(label)) for v, label in Case.Type.choices)]


DAYS = gettext_lazy("Days")
FIELDS = [
    Field(
        "opportunity",
        gettext_lazy("Open opportunity in pipeline"),
        "activity",
        _pipelines,
        op_list=tuple(PRESENCE_OPS),
        value_label=gettext_lazy("Pipeline"),
    ),
    Field(
        "case",
        gettext_lazy("Has an open case"),
        "activity",
        _case_types,
        op_list=tuple(PRESENCE_OPS),
        value_label=gettext_lazy("Case type"),
    ),
    Field(
        "ordered",
        gettext_lazy("Ordered"),
        "activity",
        op_list=tuple(RECENCY_OPS),
        value_label=DAYS,
        input="number",
    ),
    Field(
        "order_total",
        gettext_lazy("Total ordered"),
        "activity",
        op_list=("gte", "lt"),
        value_label=gettext_lazy("Amount"),
        extra="days",
        extra_label=gettext_lazy("In the last N days (empty: ever)"),
    ),
    Field(
        "web_visit",
        gettext_lazy("Visited the web site"),
        "activity",
        op_list=tuple(RECENCY_OPS),
        value_label=DAYS,
        input="number",
        extra="url",
        extra_label=gettext_lazy("Address contains (empty: any page)"),
    ),
    Field(
        "holding_ends",
        gettext_lazy("A product held ends"),
        "activity",
        op_list=tuple(UPCOMING_OPS),
        value_label=DAYS,
        input="number",
        extra="product",
        extra_label=gettext_lazy("Product code (empty: any)"),
    ),
]
# The rule's optional second key per field, for the builder (no query needed).
EXTRA_KEYS = {f.name: f.extra for f in FIELDS if f.extra}


def _days(field: Field, value: Any, path: str) -> int:
    days = _typed(Field(field.name, field.label, "integer"), value, path)
    if not 0 < days <= MAX_DAYS:
        raise _fail(
            path,
            _("%(field)s: the days must be between 1 and %(max)s.")
            % {"field": field.label, "max": MAX_DAYS},
        )
    return days


def _choice(field: Field, value: Any, path: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _typed(Field(field.name, field.label, "choice", field.choices), value, path)


def _text(field: Field, rule: dict, key: str, limit: int, path: str) -> str:
    value = rule.get(key)
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise _fail(path, _("%(field)s: %(key)s is text.") % {"field": field.label, "key": key})
    value = value.strip()
    if len(value) > limit:
        raise _fail(
            path,
            _("%(field)s: %(key)s has at most %(n)s characters.")
            % {"field": field.label, "key": key, "n": limit},
        )
    return value


def validate(field: Field, rule: dict, out: dict, path: str) -> dict:
    """``out`` (field and operator already checked) completed with the value and the
    optional key, or ``ValidationFailed`` naming the field."""
    name, value, vpath = field.name, rule.get("value"), f"{path}.value"
    if name in ("opportunity", "case"):
        out["value"] = _choice(field, value, vpath)
    elif name == "order_total":
        amount = _typed(Field(name, field.label, "decimal"), value, vpath)
        if not 0 < amount < MAX_AMOUNT:
            raise _fail(
                vpath, _("%(field)s: the amount must be more than 0.") % {"field": field.label}
            )
        out["value"] = _json(amount)
        if rule.get("days") not in (None, ""):
            out["days"] = _days(field, rule["days"], f"{path}.days")
        _check_rates(field, vpath)
    else:
        out["value"] = _days(field, value, vpath)
        if name == "web_visit":
            url = _text(field, rule, "url", MAX_URL, f"{path}.url")
            if url:
                out["url"] = url
        if name == "holding_ends":
            product = _text(field, rule, "product", 50, f"{path}.product")
            if product:
                out["product"] = product
    return out


def _check_rates(field: Field, path: str) -> None:
    """Refuse a total while some bought order is in a currency without any rate: its
    amount could not be converted and would silently drop out of the sum."""
    company = settings.PANORAMA_COMPANY_CURRENCY
    used = set(
        Order.objects.filter(status__in=BOUGHT)
        .exclude(currency=company)
        .values_list("currency", flat=True)
        .distinct()
    )
    missing = used - set(
        ExchangeRate.objects.filter(currency__in=used).values_list("currency", flat=True)
    )
    if missing:
        raise _fail(
            path,
            _(
                "%(field)s: orders in %(currencies)s cannot be added up, no exchange rate is "
                "set for it (catalogue settings)."
            )
            % {"field": field.label, "currencies": ", ".join(sorted(missing))},
        )


def _in_company_currency() -> CaseWhen:
    """An order's total in the company currency, as an SQL expression over ``Order``
    annotated with its ``day``."""
    rates = ExchangeRate.objects.filter(currency=OuterRef("currency"))
    on_the_day = rates.filter(valid_from__lte=OuterRef("day")).order_by("-valid_from")
    oldest = rates.order_by("valid_from")
    rate = Coalesce(Subquery(on_the_day.values("rate")[:1]), Subquery(oldest.values("rate")[:1]))
    money: DecimalField = DecimalField(max_digits=30, decimal_places=10)
    return CaseWhen(
        When(currency=settings.PANORAMA_COMPANY_CURRENCY, then=F("total")),
        default=ExpressionWrapper(F("total") * rate, output_field=money),
        output_field=money,
    )


def compile_condition(field: Field, rule: dict, now: datetime.datetime) -> Q:
    """A validated condition as a ``Q`` over ``Customer``: one ``Exists``, negated for
    ``has_not`` / ``not_within…`` / ``lt`` (so a customer with no rows at all is in)."""
    name, op, value = field.name, rule["op"], rule["value"]
    customer = OuterRef("pk")
    rows: QuerySet[Any]
    if name == "opportunity":
        rows = Opportunity.objects.filter(customer_id=customer, status=Opportunity.Status.OPEN)
        if value != "any":
            rows = rows.filter(pipeline_id=int(value))
    elif name == "case":
        rows = Case.objects.filter(customer_id=customer, status__in=Case.OPEN_STATUSES)
        if value != "any":
            rows = rows.filter(type=value)
    elif name == "ordered":
        rows = Order.objects.filter(
            customer_id=customer,
            status__in=BOUGHT,
            created_at__gte=now - datetime.timedelta(days=value),
        )
    elif name == "order_total":
        orders = Order.objects.filter(customer_id=customer, status__in=BOUGHT)
        if rule.get("days"):
            orders = orders.filter(created_at__gte=now - datetime.timedelta(days=rule["days"]))
        # GROUP BY the one customer, HAVING the sum: still a plain EXISTS.
        rows = (
            orders.annotate(day=TruncDate(Coalesce("confirmed_at", "created_at")))
            .annotate(in_company=_in_company_currency())
            .order_by()
            .values("customer_id")
            .annotate(ordered_sum=Sum("in_company"))
            .filter(ordered_sum__gte=Decimal(value))
        )
    elif name == "web_visit":
        rows = WebEvent.objects.filter(
            customer_id=customer, at__gte=now - datetime.timedelta(days=value)
        )
        if rule.get("url"):
            rows = rows.filter(url__icontains=rule["url"])
    else:  # holding_ends
        today = timezone.localdate(now)
        rows = Holding.objects.filter(
            customer_id=customer,
            status=Holding.Status.ACTIVE,
            end_date__gte=today,
            end_date__lte=today + datetime.timedelta(days=value),
        )
        if rule.get("product"):
            rows = rows.filter(product_code=rule["product"])
    q = Q(Exists(rows))
    return ~q if op in ("has_not", "not_within_days", "not_within_next_days", "lt") else q
