# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""An agenda item about a quote: planned from the form (which offers the customer's
quotes the user sees), shown on the item and on the quote's page; a quote the planner
does not see, or of another customer, is refused naming the field."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import ValidationFailed
from panorama.sales.models import Activity
from panorama.sales.services.activity import activity_complete, activity_plan
from panorama.sales.services.quote import LineData, quote_create

from ..factories import CustomerFactory, TeamFactory, UserFactory
from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(rep, buyer, world):
    return quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)]
    )


def _tomorrow() -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=1)


def test_the_form_offers_the_customers_quotes_and_links_the_item(client, rep, buyer, quote):
    client.force_login(rep)
    page = client.get(reverse("sales:activity_new") + f"?customer={buyer.pk}")
    assert page.status_code == 200
    assert quote.reference in page.content.decode()  # offered in the "Quote" select

    when = _tomorrow()
    answer = client.post(
        reverse("sales:activity_new"),
        {
            "kind": "call",
            "subject": "Repasar la oferta",
            "day": when.date().isoformat(),
            "time": "10:00",
            "duration_minutes": 30,
            "owner": rep.pk,
            "customer": buyer.pk,
            "quote": quote.pk,
        },
    )
    assert answer.status_code == 302
    item = Activity.objects.get(subject="Repasar la oferta")
    assert (item.quote_id, item.customer_id) == (quote.pk, buyer.pk)

    detail = client.get(reverse("sales:activity_detail", args=[item.pk])).content.decode()
    assert reverse("sales:quote_detail", args=[quote.pk]) in detail
    assert quote.reference in detail

    quote_page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert "Repasar la oferta" in quote_page
    assert reverse("sales:activity_detail", args=[item.pk]) in quote_page


def test_from_the_quote_page_the_form_comes_filled(client, rep, buyer, quote):
    client.force_login(rep)
    page = client.get(reverse("sales:activity_new") + f"?quote={quote.pk}").content.decode()
    assert f'value="{buyer.pk}"' in page  # the customer, from the quote
    assert f'<option value="{quote.pk}" selected>' in page


def test_the_quote_alone_sets_the_customer_and_completing_writes_the_timeline(rep, buyer, quote):
    item = activity_plan(
        by=rep, kind="call", subject="Cerrar", starts_at=_tomorrow(), quote_id=quote.pk
    )
    assert item.customer_id == buyer.pk
    done = activity_complete(by=rep, activity_id=item.pk, outcome="Acepta el martes")
    assert done.interaction.related == quote


def test_a_quote_the_planner_does_not_see_is_refused(rep, buyer, quote, team):
    south = TeamFactory(name="Sur")
    stranger = UserFactory(username="sur", role=Role.SALES_REP, teams=[south])
    with pytest.raises(ValidationFailed) as refused:
        activity_plan(
            by=stranger, kind="call", subject="x", starts_at=_tomorrow(), quote_id=quote.pk
        )
    assert refused.value.field == "quote_id"
    assert not Activity.objects.exists()


def test_a_quote_of_another_customer_is_refused(rep, team, quote):
    other = CustomerFactory(first_name="Otro", owner=rep, team=team)
    with pytest.raises(ValidationFailed) as refused:
        activity_plan(
            by=rep,
            kind="call",
            subject="x",
            starts_at=_tomorrow(),
            customer_id=other.pk,
            quote_id=quote.pk,
        )
    assert refused.value.field == "quote_id"


def test_the_api_plans_and_returns_the_quote(api_as, rep, buyer, quote):
    api = api_as(rep)
    created = api.post(
        "/agenda/activities",
        json={"subject": "Llamar", "starts_at": _tomorrow().isoformat(), "quote_id": quote.pk},
    )
    assert created.status_code == 201, created.content
    assert (created.json()["quote_id"], created.json()["customer_id"]) == (quote.pk, buyer.pk)
    refused = api.post(
        "/agenda/activities",
        json={"subject": "Llamar", "starts_at": _tomorrow().isoformat(), "quote_id": 999999},
    )
    assert refused.status_code == 422
    assert "quote_id" in refused.content.decode()
