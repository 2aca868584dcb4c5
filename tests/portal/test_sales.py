# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The portal's sales pages for a signed-in customer: only his quotes that were sent to
him, accepted or declined through the signed link's own services (same order, same
refusals), the quote's PDF, his orders, and the catalogue priced for him by the one
pricing service (his segment's price list, the promotion, a coupon's refusal)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from panorama.catalog.models import Promotion
from panorama.catalog.services.price_lists import price_list_create, price_list_item_set
from panorama.catalog.services.pricing import price_line
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict
from panorama.core.templatetags.formatting import money
from panorama.sales.models import Order, Quote
from panorama.sales.services.quote import (
    LineData,
    acceptance_token,
    quote_accept,
    quote_create,
    quote_send,
)
from tests.factories import CustomerFactory, IdentityFactory
from tests.sales.quote_world import world  # noqa: F401 (fixture)

from .test_views import _signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(rep, team):
    customer = CustomerFactory(
        first_name="Ana",
        last_name="García",
        display_name="Ana García",
        owner=rep,
        team=team,
        language="en",
        custom_fields={"segment": "pymes"},
    )
    IdentityFactory(customer=customer, value="ana@example.com", is_primary=True)
    return customer


@pytest.fixture
def luis(rep, team):
    customer = CustomerFactory(first_name="Luis", display_name="Luis Pérez", owner=rep, team=team)
    IdentityFactory(customer=customer, value="luis@example.com", is_primary=True)
    return customer


def _quote(rep, customer, world, quantity=2, send=True):
    quote = quote_create(
        by=rep,
        customer_id=customer.pk,
        lines=[LineData(product_id=world["router"].pk, quantity=quantity)],
    )
    if send:
        quote_send(by=rep, quote_id=quote.pk)
    return Quote.objects.get(pk=quote.pk)


def _marked_sent(rep, customer, world):
    """A quote as sent, without the e-mail (for lists of many)."""
    quote = _quote(rep, customer, world, send=False)
    Quote.objects.filter(pk=quote.pk).update(status="sent", sent_at=timezone.now())
    return Quote.objects.get(pk=quote.pk)


def _timeline(quote):
    return list(
        Interaction.objects.filter(
            related_type=ContentType.objects.get_for_model(Quote), related_id=quote.pk
        ).values_list("subject", flat=True)
    )


def test_he_sees_only_the_quotes_sent_to_him(client, rep, ana, luis, world, smtp):
    sent = _quote(rep, ana, world)
    draft = _quote(rep, ana, world, send=False)
    others = _quote(rep, luis, world)
    _signed_in(client, ana)

    page = client.get("/portal/quotes/").content.decode()

    assert sent.reference in page and "Waiting for your answer" in page
    assert money(sent.total, "EUR") in page
    assert draft.reference not in page
    assert others.reference not in page


def test_another_customers_quote_or_order_and_a_draft_are_not_found(
    client, rep, ana, luis, world, smtp
):
    others = _quote(rep, luis, world)
    quote_accept(token=acceptance_token(others))
    draft = _quote(rep, ana, world, send=False)
    _signed_in(client, ana)
    order = Order.objects.get(quote=others)

    for path in (
        f"/portal/quotes/{others.pk}/",
        f"/portal/quotes/{others.pk}/pdf/",
        f"/portal/quotes/{draft.pk}/",
        f"/portal/orders/{order.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/portal/quotes/{draft.pk}/accept/").status_code == 404
    assert client.post(f"/portal/quotes/{others.pk}/decline/").status_code == 404
    assert Quote.objects.get(pk=draft.pk).status == "draft"
    assert Order.objects.count() == 1


def test_accepting_in_the_portal_places_the_links_order_and_a_second_time_is_refused(
    client, rep, ana, world, smtp
):
    in_portal = _quote(rep, ana, world)
    by_link = _quote(rep, ana, world)
    uses = Promotion.objects.get(pk=world["otono"].pk).uses
    _signed_in(client, ana)

    response = client.post(f"/portal/quotes/{in_portal.pk}/accept/")
    quote_accept(token=acceptance_token(by_link))

    mine, linked = Order.objects.get(quote=in_portal), Order.objects.get(quote=by_link)
    assert response.status_code == 302 and response["Location"] == f"/portal/orders/{mine.pk}/"
    fields = ("status", "customer_id", "currency", "net", "tax", "total", "expected_delivery")
    assert [getattr(mine, f) for f in fields] == [getattr(linked, f) for f in fields]
    line_fields = ("product_id", "quantity", "unit_price", "net", "tax", "total", "reserved")
    assert list(mine.lines.values_list(*line_fields)) == list(
        linked.lines.values_list(*line_fields)
    )
    assert Promotion.objects.get(pk=world["otono"].pk).uses == uses + 2
    assert f"Quote {in_portal.reference} accepted by the customer" in _timeline(in_portal)
    page = client.get(response["Location"]).content.decode()
    assert mine.reference in page and "Confirmed" in page
    assert f"Thank you! You accepted quote {in_portal.reference}" in page

    again = client.post(f"/portal/quotes/{in_portal.pk}/accept/")

    assert again.status_code == 409
    assert f"Quote {in_portal.reference} was already accepted. Thank you!" in again.content.decode()
    assert Order.objects.count() == 2


def test_an_expired_quote_is_refused_with_its_message(client, rep, ana, world, smtp):
    quote = _quote(rep, ana, world)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    _signed_in(client, ana)

    assert "Expired" in client.get(f"/portal/quotes/{quote.pk}/").content.decode()
    response = client.post(f"/portal/quotes/{quote.pk}/accept/")

    assert response.status_code == 422
    assert "This quote expired on" in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    assert not Order.objects.exists()


def test_he_declines_with_a_reason_and_the_link_then_refuses_it(client, rep, ana, world, smtp):
    quote = _quote(rep, ana, world)
    _signed_in(client, ana)

    response = client.post(f"/portal/quotes/{quote.pk}/decline/", {"reason": "Too expensive"})

    assert response["Location"] == f"/portal/quotes/{quote.pk}/"
    assert Quote.objects.get(pk=quote.pk).status == "declined"
    entry = Interaction.objects.get(subject=f"Quote {quote.reference} declined by the customer")
    assert (entry.body, entry.customer_id, entry.direction) == ("Too expensive", ana.pk, "inbound")
    page = client.get(response["Location"]).content.decode()
    assert "You declined quote" in page and "Declined" in page
    assert 'id="portal-quote-accept"' not in page
    refused = client.post(f"/portal/quotes/{quote.pk}/accept/")
    assert refused.status_code == 409 and "was declined" in refused.content.decode()
    with pytest.raises(Conflict):
        quote_accept(token=acceptance_token(quote))
    assert not Order.objects.exists()


def test_the_quote_page_shows_each_lines_stored_explanation_and_a_real_pdf(
    client, rep, ana, world, smtp
):
    quote = _quote(rep, ana, world)
    _signed_in(client, ana)

    page = client.get(f"/portal/quotes/{quote.pk}/").content.decode()
    for step in quote.lines.get().explanation:
        assert step["text"] in page
    pdf = client.get(f"/portal/quotes/{quote.pk}/pdf/")

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert quote.reference in text and "Ana García" in text


def test_his_orders_with_status_lines_and_delivery(client, rep, ana, world, smtp):
    quote = _quote(rep, ana, world, quantity=7)  # 5 in stock: 2 on backorder, 7 days away
    quote_accept(token=acceptance_token(quote))
    order = Order.objects.get(quote=quote)
    Order.objects.create(customer=ana, currency="EUR", reference="O-DRAFT1")  # not his yet
    _signed_in(client, ana)

    listed = client.get("/portal/orders/").content.decode()
    detail = client.get(f"/portal/orders/{order.pk}/").content.decode()

    assert order.reference in listed and "O-DRAFT1" not in listed
    assert "On backorder" in listed
    assert "2 units on backorder" in detail and "Router" in detail
    delivery = order.expected_delivery
    assert delivery == timezone.localdate() + datetime.timedelta(days=7)
    with translation.override("en"):
        from django.utils.formats import date_format

        assert date_format(delivery, "SHORT_DATE_FORMAT") in detail
    assert money(order.total, "EUR") in detail


def test_the_prices_are_the_pricing_services_for_him(client, ana, world):
    pymes = price_list_create(by=None, code="pymes", name="Pymes", segment="pymes")
    price_list_item_set(by=None, price_list=pymes, product=world["router"], price="90.00")
    _signed_in(client, ana)

    page = client.get("/portal/prices/").content.decode()

    with translation.override("en"):
        expected = price_line(product_id=world["router"].pk, customer=ana, channel="portal")
    # 90.00 from his segment's list, 10 % Otoño: 81.00 + 21 % = 98.01.
    assert expected.total == Decimal("98.01") and expected.price_list == "pymes"
    assert [s.kind for s in expected.explanation][:4] == [
        "list_price",
        "price_list",
        "quantity",
        "promotion",
    ]
    with translation.override("en"):
        assert money(expected.total, "EUR") in page
    for step in expected.explanation:
        assert step.text.replace("'", "&#x27;") in page
    # The pack needs its options chosen, the licence is in a currency with no rate.
    on_request = page.split('id="portal-on-request"')[1]
    assert "Pack Empresa Fibra" in on_request and "Licencia" in on_request


def test_a_coupon_goes_through_the_pricings_checks(client, ana, world):
    _signed_in(client, ana)

    unknown = client.get("/portal/prices/", {"coupon": "nope"})
    expired = client.get("/portal/prices/", {"coupon": "verano"})
    good = client.get("/portal/prices/", {"coupon": "bienvenida"})

    assert unknown.status_code == expired.status_code == 422
    assert "There is no coupon NOPE." in unknown.content.decode()
    assert "The coupon VERANO expired on" in expired.content.decode()
    with translation.override("en"):
        router = price_line(
            product_id=world["router"].pk, customer=ana, channel="portal", coupon="BIENVENIDA"
        )
        assert money(router.total, "EUR") in good.content.decode()
    assert good.status_code == 200 and "Coupon BIENVENIDA applied" in good.content.decode()
    assert "There is no coupon" not in good.content.decode()
    # A code longer than any coupon is refused whole, not cut to one that might exist.
    long = client.get("/portal/prices/", {"coupon": "BIENVENIDA" + "X" * 60})
    assert long.status_code == 422
    assert "There is no coupon BIENVENIDA" + "X" * 60 in long.content.decode()


def test_the_lists_take_the_same_queries_for_one_quote_or_ten(client, rep, ana, world):
    first = _marked_sent(rep, ana, world)
    quote_accept(token=acceptance_token(first))
    _signed_in(client, ana)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    one = (queries("/portal/quotes/"), queries("/portal/orders/"))
    for _ in range(9):
        quote_accept(token=acceptance_token(_marked_sent(rep, ana, world)))
    ten = (queries("/portal/quotes/"), queries("/portal/orders/"))

    assert one == ten
    assert ten[0] <= 8 and ten[1] <= 8
    assert client.get("/portal/quotes/").content.decode().count("Quote Q-") == 10


def test_the_pages_in_spanish(client, rep, ana, world, smtp):
    ana.language = "es"
    ana.save()
    quote = _quote(rep, ana, world)
    _signed_in(client, ana)

    page = client.get("/portal/quotes/").content.decode()

    assert "Mis presupuestos" in page and "Pendiente de tu respuesta" in page
    with translation.override("es"):
        assert money(quote.total, "EUR") in page  # 217,80 €
    assert "217,80" in page


def test_his_long_lists_page_back_by_id_in_one_query_each(client, rep, ana, world, monkeypatch):
    """Past one page, an "Older" link pages back by id: every quote and order once, in
    order, each page one query for its rows; a crafted ``before`` is just the newest."""
    from panorama.portal.selectors import sales as portal_sales

    monkeypatch.setattr(portal_sales, "SHOWN", 2)
    quotes = [_marked_sent(rep, ana, world) for _ in range(5)]
    for quote in quotes:
        quote_accept(token=acceptance_token(quote))
    _signed_in(client, ana)

    for path, label, older in (
        ("/portal/quotes/", "Quote", "Older quotes"),
        ("/portal/orders/", "Order", "Older orders"),
    ):
        seen, query, pages = [], {}, 0
        while True:
            response = client.get(path, query)
            page = response.context["page"]
            seen += [row.pk for row in page.rows]
            pages += 1
            html = response.content.decode()
            assert (older in html) == (page.older is not None)
            assert ("Newest" in html) == bool(query)
            if page.older is None:
                break
            query = {"before": page.older}
        model = Quote if label == "Quote" else Order
        assert seen == list(
            model.objects.filter(customer=ana).order_by("-id").values_list("pk", flat=True)
        )
        assert pages == 3

    with CaptureQueriesContext(connection) as first:
        client.get("/portal/quotes/")
    oldest_page = client.get("/portal/quotes/", {"before": quotes[1].pk})
    assert [q.pk for q in oldest_page.context["page"].rows] == [quotes[0].pk]
    with CaptureQueriesContext(connection) as later:
        client.get("/portal/quotes/", {"before": quotes[3].pk})
    assert len(first) == len(later)
    assert client.get("/portal/quotes/", {"before": "1; DROP"}).context["page"].newer is False
    empty = client.get("/portal/orders/", {"before": 1}).content.decode()
    assert "There is no older order." in empty and "You have no order yet." not in empty
