# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A new version of a quote is priced again at today's price lists and promotions, and
shows what changed (service, page, API); the worker's sweep expires the quotes whose
validity has passed."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from panorama.catalog.models import Product, Promotion
from panorama.channels.models import Interaction
from panorama.core import jobs
from panorama.sales.models import Quote
from panorama.sales.selectors.quotes import version_changes
from panorama.sales.services.quote import LineData, quote_create, quote_new_version, quote_send

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(rep, buyer, world):
    return quote_create(
        by=rep,
        customer_id=buyer.pk,
        coupon="bienvenida",
        lines=[
            LineData(product_id=world["router"].pk, quantity=2),
            LineData(product_id=world["pack"].pk, options=["fibra300", "movil_basico"]),
        ],
    )


def test_a_new_version_is_priced_again_today_and_shows_the_differences(rep, quote, world):
    router, pack = quote.lines.order_by("position")
    assert router.net == Decimal("170.00")  # 2 × (100 − 10 % Otoño − 5 Bienvenida)
    # Since the quote was made: the router's list price went up and Otoño ended.
    Product.objects.filter(pk=world["router"].pk).update(list_price=Decimal("120.00"))
    Promotion.objects.filter(pk=world["otono"].pk).update(active=False)

    new = quote_new_version(by=rep, quote_id=quote.pk)

    new_router, new_pack = new.lines.order_by("position")
    assert new_router.unit_price == Decimal("120.00")
    assert new_router.net == Decimal("230.00")  # 2 × (120 − 5 Bienvenida), no Otoño
    assert "Otoño" not in " ".join(step["text"] for step in new_router.explanation)
    assert new_pack.net == pack.net
    assert new.total == quote.total + Decimal("60.00") * Decimal("1.21")
    assert Quote.objects.get(pk=quote.pk).total == quote.total  # the old one as it was

    changes = version_changes(new)
    assert changes.previous_reference == quote.reference
    assert (changes.old_total, changes.new_total) == (quote.total, new.total)
    assert [
        (c.kind, c.name, c.old_unit_price, c.new_unit_price, c.new_net) for c in changes.lines
    ] == [
        ("changed", "Router", Decimal("100.00"), Decimal("120.00"), Decimal("230.00")),
        ("same", "Pack Empresa Fibra", pack.unit_price, pack.unit_price, pack.net),
    ]
    assert changes.terms == ()
    body = (
        Interaction.objects.filter(
            related_type=ContentType.objects.get_for_model(Quote), related_id=new.pk
        )
        .get()
        .body
    )
    assert f"{quote.total} → {new.total} EUR" in body


def test_a_coupon_no_longer_valid_is_dropped_from_the_new_version_and_said(rep, quote, world):
    Promotion.objects.filter(pk=world["bienvenida"].pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    new = quote_new_version(by=rep, quote_id=quote.pk)
    assert new.coupon == ""
    router = new.lines.order_by("position").first()
    assert router.net == Decimal("180.00")  # 2 × (100 − 10 % Otoño), no coupon
    assert version_changes(new).terms == (("coupon", "BIENVENIDA", ""),)


def test_the_page_and_the_api_show_what_changed(client, api_as, rep, quote, world):
    Product.objects.filter(pk=world["router"].pk).update(list_price=Decimal("120.00"))
    client.force_login(rep)
    made = client.post(reverse("sales:quote_version", args=[quote.pk]))
    new = Quote.objects.get(previous=quote)
    assert made.url == reverse("sales:quote_detail", args=[new.pk])
    page = client.get(made.url).content.decode()
    assert f"Changes since {quote.reference}" in page
    assert "Price changed" in page
    assert "206,00" in page or "206.00" in page  # 2 × (120 − 12 Otoño − 5 Bienvenida)

    body = api_as(rep).get(f"/quotes/{new.pk}").json()
    assert body["changes"]["previous_reference"] == quote.reference
    router = body["changes"]["lines"][0]
    assert (router["kind"], router["old_net"], router["new_net"]) == ("changed", "170.00", "206.00")
    assert api_as(rep).get(f"/quotes/{quote.pk}").json()["changes"] is None


def test_the_worker_sweep_expires_the_quotes_past_their_validity(rep, quote, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    fresh = quote_create(
        by=rep,
        customer_id=quote.customer_id,
        lines=[LineData(product_id=quote.lines.first().product_id)],
    )
    quote_send(by=rep, quote_id=fresh.pk)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    jobs.worker_mode(True)  # the sweep queues its tasks only in the worker
    try:
        jobs.jobs_recover()
    finally:
        jobs.worker_mode(False)
    assert Quote.objects.get(pk=quote.pk).status == "expired"
    assert Quote.objects.get(pk=fresh.pk).status == "sent"
