"""Analytics in the demo: an order history of the last months for a share of the demo
customers, through the ordinary order history import (a CSV made in memory, each buyer
found by an external id the demo gives him), then the models retrained as the scheduled
task does (RFM, lifetime value, clusters, churn, basket), the sales forecast run and the
warehouse built, so the
fichas show scores and the dashboards have revenue.

Deterministic for a seed and an end date. Some buyers stop buying months before the end
(the churn model needs customers of both outcomes); the rest keep buying to the end."""

import datetime
import io
import random
from dataclasses import dataclass, field

from django.db import transaction

from panorama.analytics.models import Purchase
from panorama.analytics.services.purchases import purchases_import
from panorama.analytics.services.runs import forecast_run
from panorama.catalog.models import Product
from panorama.core import bulk
from panorama.core.exceptions import DomainError
from panorama.customers.models import Customer, Identity

from .showcase import showcase_customer_id

FILE_NAME = "demo-order-history.csv"
EXTERNAL_PREFIX = "DEMO-"
_FALLBACK_PRODUCTS = ("Café", "Té verde", "Galletas", "Mermelada", "Aceite de oliva", "Miel")


@dataclass
class AnalyticsDemo:
    buyers: int = 0
    rows: int = 0
    orders: int = 0
    models: dict[str, str] = field(default_factory=dict)
    warehouse: str = ""


def _external_ids(customer_ids: list[int]) -> dict[int, str]:
    """The external id of each buyer: his own if he has one, else ``DEMO-<pk>`` added."""
    have: dict[int, str] = {}
    for customer_id, value in Identity.objects.filter(
        kind=Identity.Kind.EXTERNAL, customer_id__in=customer_ids
    ).values_list("customer_id", "value"):
        have.setdefault(customer_id, value)
    new = [pk for pk in customer_ids if pk not in have]
    bulk.objects_insert(
        [
            bulk.model_new(
                Identity,
                customer_id=pk,
                kind=Identity.Kind.EXTERNAL,
                value=f"{EXTERNAL_PREFIX}{pk}",
                label="ERP",
                is_primary=True,
            )
            for pk in new
        ]
    )
    have.update({pk: f"{EXTERNAL_PREFIX}{pk}" for pk in new})
    return have


def history_csv(
    externals: list[str], *, products: list[str], months: int, end: datetime.date, seed: int
) -> tuple[str, int]:
    """The order history as CSV text (header ``order_id,customer_id,date,product,
    quantity,amount``) and its number of rows."""
    rng = random.Random(seed)
    start = end - datetime.timedelta(days=months * 30)
    span = (end - start).days
    prices = {name: round(rng.uniform(4, 120), 2) for name in products}
    favourites = [products[i : i + 3] for i in range(0, len(products), 3)] or [products]
    out = ["order_id,customer_id,date,product,quantity,amount"]
    order = 0
    for external in externals:
        # Orders per month (a few loyal heavy buyers, many occasional ones), the day of
        # his first order, and for about a third the day he stopped buying.
        rate = rng.choice((0.25, 0.4, 0.6, 0.8, 1.2, 2.0))
        first = rng.randrange(0, span // 2)
        last = span if rng.random() > 0.35 else rng.randrange(first + 30, span - 100)
        liked = rng.choice(favourites)
        day = first
        while day <= last:
            order += 1
            when = (start + datetime.timedelta(days=day)).isoformat()
            for _line in range(rng.choice((1, 1, 1, 2, 2, 3))):
                name = rng.choice(liked) if rng.random() < 0.7 else rng.choice(products)
                quantity = rng.choice((1, 1, 1, 2, 3))
                amount = round(prices[name] * quantity * rng.uniform(0.9, 1.1), 2)
                out.append(f"D{order:06d},{external},{when},{name},{quantity},{amount:.2f}")
            day += max(1, int(rng.expovariate(rate / 30)))
    return "\n".join(out) + "\n", len(out) - 1


def analytics_demo_ensure(
    *, buyers: int = 500, months: int = 18, seed: int = 7, end: datetime.date | None = None
) -> AnalyticsDemo | None:
    """Seed the order history (once), retrain the models, build the warehouse."""
    from panorama.analytics.tasks import models_retrain_task
    from panorama.analytics.warehouse import load

    if Purchase.objects.exists():
        return None
    end = end or datetime.date.today() - datetime.timedelta(days=1)
    rng = random.Random(seed)
    live = Customer.objects.filter(merged_into__isnull=True).order_by("id")
    people = list(live.values_list("pk", flat=True))
    chosen = sorted(rng.sample(people, min(buyers, len(people))))
    showcase = showcase_customer_id()
    if showcase is not None and showcase not in chosen:
        chosen.append(showcase)
    products = list(
        Product.objects.filter(active=True).order_by("id").values_list("name", flat=True)[:24]
    ) or list(_FALLBACK_PRODUCTS)
    result = AnalyticsDemo(buyers=len(chosen))
    with transaction.atomic():
        externals = _external_ids(chosen)
        text, result.rows = history_csv(
            [externals[pk] for pk in chosen], products=products, months=months, end=end, seed=seed
        )
        job = purchases_import(source=io.BytesIO(text.encode()), by=None, file_name=FILE_NAME)
    result.orders = job.orders_created
    result.models = models_retrain_task.call()
    try:
        forecast_run(by=None)  # the sales forecast page shows the latest run
        result.models["forecast"] = "ok"
    except DomainError as exc:
        result.models["forecast"] = str(exc.message)
    try:
        load.warehouse_build()
        result.warehouse = "ok"
    except DomainError as exc:
        result.warehouse = str(exc.message)
    return result
