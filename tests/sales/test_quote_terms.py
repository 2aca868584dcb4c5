# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A quote's terms changed after it was made (``quote_update``): through the service,
the "Edit terms" form on the quote's page and ``PATCH /api/v1/quotes/{id}``. The lines
are priced again with the new terms; a refused term names its field and changes
nothing; a quote no longer open to changes refuses them all."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.config.api import api
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.sales.models import Quote
from panorama.sales.services.quote import (
    LineData,
    quote_create,
    quote_request_approval,
    quote_send,
    quote_update,
)
from tests.catalog.factories import ExchangeRateFactory
from tests.factories import TeamFactory, UserFactory

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(rep, buyer, world):
    """One router: 100 − 10 % (the automatic promotion Otoño) = 90 before tax."""
    return quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)]
    )


def _terms(quote: Quote) -> tuple:
    quote.refresh_from_db()
    return (
        quote.currency,
        quote.price_list,
        quote.coupon,
        quote.financing_plan_id,
        quote.valid_until,
        quote.language,
        quote.net,
    )


# --- the service ------------------------------------------------------------------


def test_new_terms_price_the_lines_again(quote, rep, world, emitted):
    assert quote.net == Decimal("90.00")
    later = timezone.localdate() + datetime.timedelta(days=60)
    with emitted() as events:
        quote_update(
            by=rep,
            quote_id=quote.pk,
            coupon="bienvenida",
            financing_plan_id=world["plan"].pk,
            valid_until=later,
            language="EN",
        )
    quote.refresh_from_db()
    # The coupon takes 5 off the router after the promotion: 85.
    assert (quote.coupon, quote.net) == ("BIENVENIDA", Decimal("85.00"))
    assert (quote.financing_plan, quote.valid_until, quote.language) == (
        world["plan"],
        later,
        "en",
    )
    line = quote.lines.get()
    assert [d["label"] for d in line.discounts] == ["Otoño", "Bienvenida"]
    assert [name for name, _ in events] == ["quote.changed"]

    # Leaving a term out keeps it; an empty coupon removes it; the plan can be dropped.
    quote_update(by=rep, quote_id=quote.pk, coupon="", clear_financing=True)
    quote.refresh_from_db()
    assert (quote.coupon, quote.financing_plan, quote.net) == ("", None, Decimal("90.00"))
    assert (quote.valid_until, quote.language) == (later, "en")


def test_another_currency_with_a_rate_converts_the_lines(quote, rep):
    ExchangeRateFactory(currency="USD", rate=Decimal("0.50"), valid_from=datetime.date(2000, 1, 1))
    quote_update(by=rep, quote_id=quote.pk, currency="usd")
    quote.refresh_from_db()
    # 90 EUR at 0.50 EUR a dollar.
    assert (quote.currency, quote.net) == ("USD", Decimal("180.00"))


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"coupon": "VERANO"}, "coupon"),  # expired yesterday
        ({"coupon": "NADA"}, "coupon"),  # no such coupon
        ({"price_list": "inexistente"}, "price_list"),
        ({"price_list": "vieja"}, "price_list"),  # expired yesterday
        ({"currency": "JPY"}, "currency"),  # no exchange rate
        ({"currency": "XX"}, "currency"),  # no currency at all
        ({"valid_until": datetime.date(2020, 1, 1)}, "valid_until"),  # a past day
        ({"language": "fr"}, "language"),
        ({"financing_plan_id": 999999}, "financing_plan"),
    ],
)
def test_a_refused_term_names_its_field_and_changes_nothing(quote, rep, terms, field):
    before = _terms(quote)
    with pytest.raises(ValidationFailed) as refused:
        quote_update(by=rep, quote_id=quote.pk, **terms)
    assert refused.value.field == field
    assert str(refused.value.message)
    assert _terms(quote) == before


def test_a_change_voids_the_approval_asked_for(rep, buyer, world, settings, smtp):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["router"].pk, manual_discount_percent=15)],
    )
    quote_request_approval(by=rep, quote_id=quote.pk, comment="Volumen")
    quote_update(by=rep, quote_id=quote.pk, coupon="BIENVENIDA")
    quote.refresh_from_db()
    assert quote.status == "draft"


def test_a_sent_quote_takes_no_new_terms(quote, rep, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    with pytest.raises(Conflict) as refused:
        quote_update(by=rep, quote_id=quote.pk, coupon="BIENVENIDA")
    assert "new version" in str(refused.value.message)
    assert Quote.objects.get(pk=quote.pk).coupon == ""


# --- the page ---------------------------------------------------------------------


def test_the_page_edits_the_terms_and_shows_a_refusal_on_its_field(client, quote, rep, world):
    client.force_login(rep)
    url = reverse("sales:quote_detail", args=[quote.pk])
    action = reverse("sales:quote_terms", args=[quote.pk])
    page = client.get(url).content.decode()
    assert "Edit terms" in page and f'action="{action}"' in page
    later = timezone.localdate() + datetime.timedelta(days=30)
    form = {
        "terms-currency": "EUR",
        "terms-price_list": "",
        "terms-coupon": "VERANO",
        "terms-financing_plan": world["plan"].pk,
        "terms-valid_until": later.isoformat(),
        "terms-language": "en",
    }
    before = _terms(quote)
    refused = client.post(action, form)
    assert refused.status_code == 422
    assert "coupon" in refused.context["terms_form"].errors
    text = refused.content.decode()
    assert "VERANO" in text and "expired" in text
    assert 'id="quote-terms" open' in text  # the form stays open on the error
    assert 'aria-invalid="true"' in text
    assert _terms(quote) == before

    done = client.post(action, {**form, "terms-coupon": "bienvenida"}, follow=True)
    assert done.status_code == 200
    assert "Terms changed" in done.content.decode()
    quote.refresh_from_db()
    assert (quote.coupon, quote.financing_plan, quote.valid_until, quote.language) == (
        "BIENVENIDA",
        world["plan"],
        later,
        "en",
    )
    assert quote.net == Decimal("85.00")


def test_the_form_shows_the_quotes_terms_and_only_while_it_can_change(
    client, quote, rep, world, smtp
):
    quote_update(by=rep, quote_id=quote.pk, coupon="BIENVENIDA", financing_plan_id=world["plan"].pk)
    client.force_login(rep)
    url = reverse("sales:quote_detail", args=[quote.pk])
    form = client.get(url).context["terms_form"]
    assert (form["coupon"].value(), form["financing_plan"].value()) == (
        "BIENVENIDA",
        world["plan"].pk,
    )
    quote_send(by=rep, quote_id=quote.pk)
    page = client.get(url).content.decode()
    assert "Edit terms" not in page
    # Posted anyway: refused with the reason, nothing changed.
    refused = client.post(
        reverse("sales:quote_terms", args=[quote.pk]),
        {
            "terms-currency": "EUR",
            "terms-coupon": "",
            "terms-valid_until": quote.valid_until.isoformat(),
            "terms-language": "es",
        },
        follow=True,
    )
    assert "make a new version" in refused.content.decode()
    assert Quote.objects.get(pk=quote.pk).coupon == "BIENVENIDA"


def test_the_terms_page_is_scoped_and_needs_the_right_to_sell(client, quote):
    action = reverse("sales:quote_terms", args=[quote.pk])
    stranger = UserFactory(username="otro", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    client.force_login(stranger)
    assert client.post(action, {"terms-coupon": "BIENVENIDA"}).status_code == 404
    client.force_login(UserFactory(username="ana", role=Role.ANALYST))  # sees, may not sell
    assert client.post(action, {"terms-coupon": "BIENVENIDA"}).status_code == 403
    assert Quote.objects.get(pk=quote.pk).coupon == ""


# --- the API ----------------------------------------------------------------------


def test_patch_changes_the_terms_given_and_keeps_the_rest(api_as, quote, rep, world):
    client = api_as(rep)
    valid_until = quote.valid_until
    changed = client.patch(
        f"/quotes/{quote.pk}",
        json={"coupon": "bienvenida", "financing_plan_id": world["plan"].pk},
    )
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert (body["coupon"], body["net"]) == ("BIENVENIDA", "85.00")
    assert body["valid_until"] == valid_until.isoformat()
    dropped = client.patch(f"/quotes/{quote.pk}", json={"financing_plan_id": None})
    assert dropped.status_code == 200
    quote.refresh_from_db()
    assert (quote.financing_plan, quote.coupon) == (None, "BIENVENIDA")


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"coupon": "VERANO"}, "coupon"),
        ({"price_list": "inexistente"}, "price_list"),
        ({"currency": "JPY"}, "currency"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"language": "fr"}, "language"),
        ({"financing_plan_id": 999999}, "financing_plan"),
    ],
)
def test_patch_refuses_a_bad_term_with_a_422_naming_it(api_as, quote, rep, terms, field):
    before = _terms(quote)
    response = api_as(rep).patch(f"/quotes/{quote.pk}", json=terms)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert _terms(quote) == before


def test_patch_is_scoped_and_needs_the_right_to_sell(api_as, quote, smtp, rep):
    stranger = UserFactory(username="otro", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    assert api_as(stranger).patch(f"/quotes/{quote.pk}", json={"coupon": ""}).status_code == 404
    analyst = UserFactory(username="ana", role=Role.ANALYST)
    assert api_as(analyst).patch(f"/quotes/{quote.pk}", json={"coupon": ""}).status_code == 403
    assert api_as(rep).patch("/quotes/999999", json={"coupon": ""}).status_code == 404
    quote_send(by=rep, quote_id=quote.pk)
    sent = api_as(rep).patch(f"/quotes/{quote.pk}", json={"coupon": "BIENVENIDA"})
    assert sent.status_code == 409 and "status" in sent.json()["errors"]
    assert Quote.objects.get(pk=quote.pk).coupon == ""


def test_patch_is_in_the_openapi_schema():
    operation = api.get_openapi_schema(path_prefix="/api/v1")["paths"]["/api/v1/quotes/{quote_id}"]
    assert "patch" in operation
    body = operation["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/QuotePatch")
