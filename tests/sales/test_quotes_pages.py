# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The quote and order pages: the list (shared list component, its queries do not grow
with the rows), a new quote from an opportunity, a refused line shown on its field,
the approval box, the ficha's panel (one query), the public acceptance page (used
twice, expired, tampered) and the order's transition buttons."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.customers.panels import panels_for
from panorama.sales.models import Order, Quote
from panorama.sales.services.opportunity import opportunity_create
from panorama.sales.services.quote import (
    LineData,
    acceptance_token,
    quote_create,
    quote_send,
)
from tests.factories import UserFactory

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _quote(rep, buyer, world, **kw):
    return quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)], **kw
    )


def test_the_list_costs_the_same_queries_for_more_rows(
    client, rep, buyer, world, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(rep)
    _quote(rep, buyer, world)
    url = reverse("sales:quote_list")
    with django_assert_max_num_queries(30) as few:
        first = client.get(url)
    assert first.status_code == 200
    for _ in range(5):
        _quote(rep, buyer, world)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    body = page.content.decode()
    references = list(Quote.objects.values_list("reference", flat=True))
    assert len(references) == 6 and all(ref in body for ref in references)


def test_a_new_quote_from_an_opportunity_and_a_refused_line_on_its_field(
    client, rep, buyer, world, pipeline
):
    opportunity = opportunity_create(by=rep, customer_id=buyer.pk, name="Sede Sevilla")
    client.force_login(rep)
    opp_page = client.get(reverse("sales:opportunity_detail", args=[opportunity.pk]))
    new_url = reverse("sales:quote_new", args=[buyer.pk]) + f"?opportunity={opportunity.pk}"
    assert new_url in opp_page.content.decode().replace("&amp;", "&")
    made = client.post(new_url, {"coupon": "", "language": ""})
    assert made.status_code == 302
    quote = Quote.objects.get()
    assert quote.opportunity == opportunity

    add = reverse("sales:quote_line_add", args=[quote.pk])
    refused = client.post(
        add,
        {
            "product": world["pack"].pk,
            "options": ["tv", "fibra300", "movil_basico"],
            "quantity": "1",
        },
    )
    assert refused.status_code == 422
    assert "options" in refused.context["line_form"].errors
    # The picker is drawn again with the ticks kept and the catalogue's reason.
    text = refused.content.decode()
    assert 'value="tv" id="opt-tv" checked' in text
    assert "cannot be combined with" in text
    negative = client.post(add, {"product": world["router"].pk, "quantity": "-3"})
    assert negative.status_code == 422
    assert "quantity" in negative.context["line_form"].errors
    ok = client.post(
        add,
        {"product": world["pack"].pk, "options": ["fibra1g", "movil_basico"], "quantity": "2"},
    )
    assert ok.status_code == 302
    page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert "Pack Empresa Fibra" in page
    assert "Fibra 1 Gb, Móvil básico, Instalación" in page  # the options by their names
    assert "List price of Pack Empresa Fibra" in page or "Precio de tarifa" in page


def test_the_approval_box_and_its_buttons(client, rep, manager, buyer, world, settings, smtp):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["router"].pk, manual_discount_percent=15)],
    )
    client.force_login(rep)
    url = reverse("sales:quote_detail", args=[quote.pk])
    page = client.get(url).content.decode()
    assert reverse("sales:quote_request_approval", args=[quote.pk]) in page
    assert reverse("sales:quote_send", args=[quote.pk]) not in page
    client.post(reverse("sales:quote_request_approval", args=[quote.pk]), {"comment": "Volumen"})
    assert Quote.objects.get(pk=quote.pk).status == "pending_approval"

    client.force_login(manager)
    decide = reverse("sales:quote_decide", args=[quote.pk])
    assert decide in client.get(url).content.decode()
    refused = client.post(decide, {"decision": "reject"})
    assert refused.status_code == 422
    assert "comment" in refused.context["decision_form"].errors
    client.post(decide, {"decision": "approve", "comment": "Vale"})
    assert Quote.objects.get(pk=quote.pk).status == "approved"

    client.force_login(rep)
    assert reverse("sales:quote_send", args=[quote.pk]) in client.get(url).content.decode()
    client.post(reverse("sales:quote_send", args=[quote.pk]))
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    assert len(smtp.messages) == 3  # to the manager, to the rep, to the customer


def test_the_ficha_panel_costs_one_query(rep, buyer, world, django_assert_num_queries):
    panel = next(p for p in panels_for(rep) if p.key == "quotes")
    for _ in range(12):
        _quote(rep, buyer, world)
    with django_assert_num_queries(1):
        data = panel.selector(customer=buyer, user=rep)
    assert len(data) == 10


def test_the_ficha_shows_the_quotes(client, rep, buyer, world):
    quote = _quote(rep, buyer, world)
    client.force_login(rep)
    ficha = client.get(reverse("customers:detail", args=[buyer.pk])).content.decode()
    assert quote.reference in ficha
    assert reverse("sales:quote_new", args=[buyer.pk]) in ficha


def test_the_public_page_accepts_once(client, rep, buyer, world, smtp):
    quote = _quote(rep, buyer, world)
    quote_send(by=rep, quote_id=quote.pk)
    url = reverse("sales:quote_accept", args=[acceptance_token(quote)])
    shown = client.get(url)
    assert shown.status_code == 200
    assert "Aceptar este presupuesto" in shown.content.decode()  # the customer's language
    accepted = client.post(url)
    assert accepted.status_code == 200
    assert Order.objects.filter(quote=quote).exists()
    again = client.post(url)
    assert again.status_code == 409
    assert "ya fue aceptado" in again.content.decode()
    assert Order.objects.count() == 1


def test_the_public_page_declines_with_the_reason_and_then_accepts_no_more(
    client, rep, buyer, world, smtp
):
    quote = _quote(rep, buyer, world)
    quote_send(by=rep, quote_id=quote.pk)
    url = reverse("sales:quote_accept", args=[acceptance_token(quote)])
    assert "Rechazar este presupuesto" in client.get(url).content.decode()

    declined = client.post(url, {"decision": "decline", "reason": "Ya tengo otro"})

    assert declined.status_code == 200
    assert "Has rechazado este presupuesto" in declined.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == "declined"
    again = client.post(url)
    assert again.status_code == 409 and "fue rechazado" in again.content.decode()
    assert not Order.objects.exists()


def test_a_tampered_or_expired_link(client, rep, buyer, world, smtp):
    quote = _quote(rep, buyer, world)
    quote_send(by=rep, quote_id=quote.pk)
    token = acceptance_token(quote)
    assert client.get(reverse("sales:quote_accept", args=[token + "x"])).status_code == 404
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    expired = client.post(reverse("sales:quote_accept", args=[token]))
    assert expired.status_code == 410
    assert "caduc" in expired.content.decode()
    assert not Order.objects.exists()


def test_the_order_page_moves_it_along(client, rep, buyer, world, smtp):
    quote = _quote(rep, buyer, world)
    quote_send(by=rep, quote_id=quote.pk)
    client.post(reverse("sales:quote_accept", args=[acceptance_token(quote)]))
    order = Order.objects.get()
    client.force_login(rep)
    url = reverse("sales:order_detail", args=[order.pk])
    page = client.get(url).content.decode()
    assert order.reference in page and 'value="shipped"' in page
    assert (
        client.post(reverse("sales:order_move", args=[order.pk]), {"to": "shipped"}).status_code
        == 302
    )
    assert Order.objects.get().status == "shipped"
    refused = client.post(
        reverse("sales:order_move", args=[order.pk]), {"to": "draft"}, follow=True
    )
    assert Order.objects.get().status == "shipped"
    assert "cannot become" in refused.content.decode()
    listing = client.get(reverse("sales:order_list")).content.decode()
    assert order.reference in listing


def test_the_option_picker_draws_the_products_options_and_checks_each_tick(
    client, rep, buyer, world, django_assert_max_num_queries
):
    quote = quote_create(by=rep, customer_id=buyer.pk)
    client.force_login(rep)
    page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    picker = reverse("sales:quote_line_options", args=[quote.pk])
    assert f'hx-get="{picker}"' in page  # choosing a product loads its options
    assert "Choose a product to pick its options." in page

    with django_assert_max_num_queries(12):
        drawn = client.get(picker, {"product": world["pack"].pk})
    text = drawn.content.decode()
    # The catalogue's groups with their rule, every option with its price, and no
    # verdict before the first tick.
    assert "Velocidad" in text and "choose 1" in text and "choose 1 to 2" in text
    assert 'value="fibra1g"' in text and "+ €15.00" in text
    assert "Instalación" in text and "included with the product" in text
    assert "not valid" not in text

    refused = client.get(
        picker, {"product": world["pack"].pk, "options": ["tv", "fibra300"], "checked": "1"}
    ).content.decode()
    # The configurator's own sentences (the check pricing runs when the line is added).
    assert "cannot be combined with" in refused
    assert "Choose at least 1 of “Líneas móviles”" in refused
    valid = client.get(
        picker,
        {"product": world["pack"].pk, "options": ["fibra1g", "movil_basico"], "checked": "1"},
    ).content.decode()
    assert "This configuration is valid." in valid
    assert 'id="option-unit-price">€75.00' in valid  # 50 + 15 + 10, the installation included

    none = client.get(picker, {"product": world["router"].pk}).content.decode()
    assert "This product has no options." in none


def test_the_option_picker_is_scoped_to_the_quote(client, rep, buyer, world):
    from tests.factories import TeamFactory, UserFactory

    quote = quote_create(by=rep, customer_id=buyer.pk)
    stranger = UserFactory(username="otro", role="sales_rep", teams=[TeamFactory(name="Sevilla")])
    client.force_login(stranger)
    url = reverse("sales:quote_line_options", args=[quote.pk])
    assert client.get(url, {"product": world["pack"].pk}).status_code == 404


def test_the_quote_page_costs_the_same_with_one_line_or_ten(
    client, rep, buyer, world, django_assert_num_queries
):
    def pack():
        return LineData(product_id=world["pack"].pk, options=["fibra1g", "movil_basico"])

    one = quote_create(by=rep, customer_id=buyer.pk, lines=[pack()])
    ten = quote_create(by=rep, customer_id=buyer.pk, lines=[pack() for _ in range(10)])
    client.force_login(rep)
    client.get(reverse("sales:quote_detail", args=[one.pk]))  # session, caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("sales:quote_detail", args=[one.pk])).status_code == 200
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(reverse("sales:quote_detail", args=[ten.pk]))
    assert page.content.decode().count("Fibra 1 Gb, Móvil básico, Instalación") == 10


def test_a_direct_order_from_the_ficha_is_priced_and_a_bad_row_is_named(client, rep, buyer, world):
    client.force_login(rep)
    url = reverse("sales:order_new", args=[buyer.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert (
        url
        in client.get(reverse("customers:detail", args=[buyer.pk]) + "?tab=sales").content.decode()
    )
    # A negative quantity on the second filled row (form row 3): refused on that row,
    # nothing written.
    bad = client.post(
        url,
        {
            "product_0": world["router"].pk,
            "quantity_0": "2",
            "product_2": world["router"].pk,
            "quantity_2": "-1",
        },
    )
    assert bad.status_code == 422
    assert bad.context["form"].errors == {"quantity_2": ["A quantity must be more than 0."]}
    assert 'aria-invalid="true"' in bad.content.decode()
    assert not Order.objects.exists()
    done = client.post(url, {"product_0": world["router"].pk, "quantity_0": "8"})
    order = Order.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "sales:order_detail", args=[order.pk]
    )
    # 8 routers at 100 − 10 % (the world's volume promotion) = 720 before tax.
    assert (order.customer_id, order.net, order.lines.count()) == (buyer.pk, 720, 1)


def test_a_direct_order_needs_a_line_and_the_right_to_sell(client, rep, buyer, world):
    client.force_login(rep)
    url = reverse("sales:order_new", args=[buyer.pk])
    empty = client.post(url, {"quantity_0": "1"})
    assert empty.status_code == 422
    assert empty.context["form"].errors == {"product_0": ["An order needs at least one line."]}
    analyst = UserFactory(role=Role.ANALYST)
    client.force_login(analyst)
    assert client.get(url).status_code == 403
