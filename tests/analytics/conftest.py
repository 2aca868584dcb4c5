"""A small operational data set for the warehouse tests: customers of two reps, with
orders and lines, quotes, opportunities and their stage changes, cases with a
satisfaction answer, holdings, billing incidents and interactions.

The warehouse reads the operational database through DuckDB's scanner, another
connection: the data must be committed, so these tests use ``transactional_db``."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.catalog.models import Product
from panorama.sales.models import Opportunity, Order, OrderLine, Quote, Stage, StageChange
from panorama.service.models import Case, CaseSurvey
from tests.factories import (
    BillingIncidentFactory,
    CustomerFactory,
    HoldingFactory,
    InteractionFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)


@pytest.fixture
def wh_settings(settings, tmp_path):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse"
    settings.WAREHOUSE_PARQUET = True
    return settings


def order_make(customer, products, *, days_ago=10, status="delivered"):
    created = timezone.now() - datetime.timedelta(days=days_ago)
    order = Order.objects.create(
        customer=customer,
        owner=customer.owner,
        team=customer.team,
        status=status,
        currency="EUR",
        expected_delivery=(created + datetime.timedelta(days=5)).date(),
        delivered_at=created + datetime.timedelta(days=3) if status == "delivered" else None,
    )
    total = Decimal("0")
    quantity = 1
    for position, product in enumerate(products):
        net = product.list_price * quantity
        OrderLine.objects.create(
            order=order,
            position=position,
            product=product,
            sku=product.sku,
            name=product.name,
            quantity=quantity,
            unit_price=product.list_price,
            net=net,
            tax=Decimal("0"),
            total=net,
        )
        total += net
    Order.objects.filter(pk=order.pk).update(net=total, total=total, created_at=created)
    order.refresh_from_db()
    return order


@pytest.fixture
def shop(transactional_db, wh_settings):
    """Two teams, a rep in each, an analyst; three customers with history."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ana = UserFactory(username="ana", role=Role.SALES_REP, teams=[north])
    bruno = UserFactory(username="bruno", role=Role.SALES_REP, teams=[south])
    analyst = UserFactory(username="carla", role=Role.ANALYST)
    laura = CustomerFactory(first_name="Laura", last_name="Gómez", owner=ana, team=north)
    pedro = CustomerFactory(first_name="Pedro", last_name="Ruiz", owner=bruno, team=south)
    marta = CustomerFactory(first_name="Marta", last_name="Sanz", owner=ana, team=north)
    fibre = Product.objects.create(sku="FIBRE", name="Fibre 1G", list_price=Decimal("40.00"))
    tv = Product.objects.create(sku="TV", name="TV pack", list_price=Decimal("15.00"))
    phone = Product.objects.create(sku="PHONE", name="Phone", list_price=Decimal("200.00"))
    order_make(laura, [fibre, tv], days_ago=40)
    order_make(laura, [fibre, tv, phone], days_ago=5)
    order_make(pedro, [phone], days_ago=100)
    order_make(pedro, [fibre], days_ago=2, status="cancelled")
    order_make(marta, [fibre, tv], days_ago=20, status="confirmed")
    pipeline = pipeline_with_stages()
    stages = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
    for customer, stage, amount in (
        (laura, "Negotiate", "1000"),
        (pedro, "Propose", "500"),
        (marta, "Won", "300"),
    ):
        opportunity = Opportunity.objects.create(
            customer=customer,
            pipeline=pipeline,
            stage=stages[stage],
            name=f"Deal {customer.first_name}",
            status={"Won": "won"}.get(stage, "open"),
            amount=Decimal(amount),
            amount_base=Decimal(amount),
            currency="EUR",
            probability=stages[stage].probability,
            owner=customer.owner,
            team=customer.team,
            closed_at=timezone.now() if stage == "Won" else None,
            stage_entered_at=timezone.now(),
        )
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=stages["Qualify"],
            to_stage=stages[stage],
            at=timezone.now(),
        )
    valid = datetime.date.today() + datetime.timedelta(days=30)
    for customer, quote_status, total in ((laura, "accepted", 99), (pedro, "sent", 50)):
        Quote.objects.create(
            customer=customer,
            owner=customer.owner,
            team=customer.team,
            status=quote_status,
            total=total,
            currency="EUR",
            valid_until=valid,
            sent_at=timezone.now(),
        )
    now = timezone.now()
    solved = Case.objects.create(
        customer=laura,
        subject="Router broken",
        channel="phone",
        status="resolved",
        priority="high",
        first_response_due=now - datetime.timedelta(hours=20),
        resolution_due=now + datetime.timedelta(hours=20),
        first_response_at=now - datetime.timedelta(hours=22),
        resolved_at=now,
    )
    CaseSurvey.objects.create(case=solved, score=4)
    Case.objects.create(
        customer=pedro,
        subject="Invoice question",
        channel="email",
        status="open",
        resolution_due=now - datetime.timedelta(hours=1),
    )
    HoldingFactory(customer=laura, product_code="FIBRE", status="active", price=Decimal("40"))
    BillingIncidentFactory(customer=pedro, amount=Decimal("75.50"), status="open")
    for customer, count in ((laura, 3), (pedro, 2), (marta, 1)):
        for _ in range(count):
            InteractionFactory(customer=customer, channel="phone")
    return {
        "ana": ana,
        "bruno": bruno,
        "analyst": analyst,
        "laura": laura,
        "pedro": pedro,
        "marta": marta,
        "products": (fibre, tv, phone),
    }
