# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A quote line changed in place on the quote's page (``quote_line_update``): its
quantity and manual discount, the quote priced again; a refusal shown on the line's
field with nothing changed; a discount above the approval threshold saved and the page
saying a manager must approve it; a quote no longer open to changes refusing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.sales.models import Quote
from panorama.sales.services.quote import LineData, quote_create, quote_send
from tests.factories import TeamFactory, UserFactory

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(rep, buyer, world):
    """One router: 100 − 10 % (the automatic promotion Otoño) = 90 before tax."""
    return quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)]
    )


def _fields(line, quantity, discount="0") -> dict:
    return {
        f"line-{line.pk}-quantity": quantity,
        f"line-{line.pk}-manual_discount_percent": discount,
    }


def test_a_lines_quantity_and_discount_change_in_place(client, quote, rep):
    line = quote.lines.get()
    client.force_login(rep)
    url = reverse("sales:quote_detail", args=[quote.pk])
    action = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    page = client.get(url).content.decode()
    assert f'action="{action}"' in page
    assert f'name="line-{line.pk}-quantity"' in page

    done = client.post(action, _fields(line, "3", "5"), follow=True)
    assert done.status_code == 200
    text = done.content.decode()
    assert "Line changed" in text
    line.refresh_from_db()
    quote.refresh_from_db()
    # 3 routers at 90, then 5 % by hand: 256.50.
    assert (line.quantity, line.manual_discount_percent) == (Decimal(3), Decimal(5))
    assert quote.net == Decimal("256.50")
    assert "256.50" in text and "approval" not in text.split("Line changed")[1][:300]


@pytest.mark.parametrize(
    ("quantity", "discount", "field", "message"),
    [
        ("-2", "0", "quantity", "A quantity must be more than 0."),
        ("abc", "0", "quantity", "A quantity is a number."),
        ("1", "150", "manual_discount_percent", "A discount is between 0 and 100 %."),
    ],
)
def test_a_refused_change_is_shown_on_the_lines_field(
    client, quote, rep, quantity, discount, field, message
):
    line = quote.lines.get()
    client.force_login(rep)
    action = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    refused = client.post(action, _fields(line, quantity, discount))
    assert refused.status_code == 422
    text = refused.content.decode()
    assert f'id="line-{line.pk}-edit" open' in text  # the line's form stays open
    assert f'id="id_line-{line.pk}-{field}-error" role="alert">{message}' in text
    assert 'aria-invalid="true"' in text
    line.refresh_from_db()
    quote.refresh_from_db()
    assert (line.quantity, line.manual_discount_percent, quote.net) == (
        Decimal(1),
        Decimal(0),
        Decimal("90.00"),
    )


def test_a_discount_above_the_threshold_is_saved_and_needs_approval(client, quote, rep, settings):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    line = quote.lines.get()
    client.force_login(rep)
    url = reverse("sales:quote_detail", args=[quote.pk])
    assert reverse("sales:quote_send", args=[quote.pk]) in client.get(url).content.decode()
    action = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    done = client.post(action, _fields(line, "1", "15"), follow=True)
    text = done.content.decode()
    assert "A manual discount of 15 % is above 10 %: request a manager" in text
    assert reverse("sales:quote_send", args=[quote.pk]) not in text  # not sent unapproved
    assert reverse("sales:quote_request_approval", args=[quote.pk]) in text
    quote.refresh_from_db()
    assert quote.max_manual_discount == Decimal(15)


def test_a_sent_quote_has_no_line_forms_and_refuses_a_change(client, quote, rep, smtp):
    line = quote.lines.get()
    quote_send(by=rep, quote_id=quote.pk)
    client.force_login(rep)
    page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert f'name="line-{line.pk}-quantity"' not in page
    action = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    refused = client.post(action, _fields(line, "4"), follow=True)
    assert "make a new version" in refused.content.decode()
    line.refresh_from_db()
    assert line.quantity == Decimal(1)
    assert Quote.objects.get(pk=quote.pk).status == "sent"


def test_a_line_of_another_quote_or_out_of_scope_is_a_404(client, quote, rep, buyer, world):
    other = quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)]
    )
    foreign = other.lines.get()
    client.force_login(rep)
    wrong = reverse("sales:quote_line_update", args=[quote.pk, foreign.pk])
    assert client.post(wrong, _fields(foreign, "4")).status_code == 404
    stranger = UserFactory(username="otro", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    client.force_login(stranger)
    line = quote.lines.get()
    own = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    assert client.post(own, _fields(line, "4")).status_code == 404
    client.force_login(UserFactory(username="ana", role=Role.ANALYST))
    assert client.post(own, _fields(line, "4")).status_code == 403
    assert [q.lines.get().quantity for q in (quote, other)] == [Decimal(1), Decimal(1)]


def test_every_form_of_a_sent_quote_refuses_with_the_same_message(client, quote, rep, world, smtp):
    """Adding or removing a line on a sent quote answers as changing one does: the
    message on the quote's page (its forms are gone), not a form drawn nowhere."""
    line = quote.lines.get()
    quote_send(by=rep, quote_id=quote.pk)
    client.force_login(rep)
    add = reverse("sales:quote_line_add", args=[quote.pk])
    added = client.post(add, {"product": world["router"].pk, "quantity": "1"})
    assert added.status_code == 302
    assert "make a new version" in client.get(added.url).content.decode()
    remove = reverse("sales:quote_line_remove", args=[quote.pk, line.pk])
    removed = client.post(remove, follow=True)
    assert "make a new version" in removed.content.decode()
    assert list(quote.lines.values_list("pk", flat=True)) == [line.pk]


def test_adding_a_line_out_of_reach_is_a_404_or_a_403(client, quote, world):
    add = reverse("sales:quote_line_add", args=[quote.pk])
    fields = {"product": world["router"].pk, "quantity": "1"}
    client.force_login(
        UserFactory(username="otro", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    )
    assert client.post(add, fields).status_code == 404
    client.force_login(UserFactory(username="ana", role=Role.ANALYST))
    assert client.post(add, fields).status_code == 403
    assert quote.lines.count() == 1
