"""The opportunity pages: list, page with stage history, edit, move, new from the ficha
(and its panel), win/loss."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.sales.models import Opportunity
from panorama.sales.services.opportunity import opportunity_create, opportunity_move
from panorama.sales.winloss import WinLossFilters, win_loss

from ..factories import (
    CustomerFactory,
    LostReasonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(rep, team):
    return CustomerFactory(owner=rep, team=team, first_name="Ana", last_name="Ruiz")


@pytest.fixture
def opp(rep, customer, pipeline):
    return opportunity_create(by=rep, customer_id=customer.pk, name="Fibra 600", amount=300)


def test_list_detail_and_history(client, rep, opp, pipeline):
    client.force_login(rep)
    listed = client.get(reverse("sales:opportunity_list"))
    assert listed.status_code == 200 and "Fibra 600" in listed.content.decode()
    opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=pipeline.stages.get(name="Propose").pk)
    page = client.get(reverse("sales:opportunity_detail", args=[opp.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Qualify → Propose" in html
    assert "Opportunity Fibra 600: Qualify → Propose" in html  # the timeline


def test_edit_saves_or_shows_the_error_on_the_field(client, rep, opp):
    client.force_login(rep)
    url = reverse("sales:opportunity_edit", args=[opp.pk])
    assert client.get(url).status_code == 200
    data = {"name": "Fibra 1 Gb", "amount": "450", "currency": "EUR", "owner": rep.pk}
    saved = client.post(url, data)
    assert saved.status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).amount_base == 450
    refused = client.post(url, {**data, "currency": "ZZZ"})
    assert refused.status_code == 422
    assert "currency" in refused.context["form"].errors


def test_move_from_the_page_asks_for_the_lost_reason(client, rep, opp, pipeline):
    client.force_login(rep)
    url = reverse("sales:opportunity_move", args=[opp.pk])
    lost = pipeline.stages.get(name="Lost")
    refused = client.post(url, {"stage": lost.pk})
    assert refused.status_code == 422
    assert "lost_reason" in refused.context["move_form"].errors
    reason = LostReasonFactory(name="Precio")
    moved = client.post(url, {"stage": lost.pk, "lost_reason": reason.pk})
    assert moved.status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).status == "lost"


def test_new_from_the_ficha_and_the_panel(
    client, rep, customer, pipeline, django_assert_max_num_queries
):
    client.force_login(rep)
    url = reverse("sales:opportunity_new", args=[customer.pk])
    assert client.get(url).status_code == 200
    made = client.post(url, {"name": "Alarma", "pipeline": pipeline.pk, "amount": "99"})
    assert made.status_code == 302
    opportunity = Opportunity.objects.get(name="Alarma")
    ficha = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Alarma" in ficha and reverse("sales:opportunity_new", args=[customer.pk]) in ficha
    assert opportunity.stage.name in ficha


def test_the_panel_costs_one_query_whatever_the_history(
    rep, customer, pipeline, django_assert_num_queries
):
    from panorama.customers.panels import panels_for

    panel = next(p for p in panels_for(rep) if p.key == "opportunities")
    for n in range(12):
        opportunity_create(by=rep, customer_id=customer.pk, name=f"O{n}")
    with django_assert_num_queries(1):
        data = panel.selector(customer=customer, user=rep)
    assert len(data) == 10 and all(o.stage.name == "Qualify" for o in data)


def test_the_panel_in_the_360_api(api_as, rep, opp, customer):
    answer = api_as(rep).get(f"/customers/{customer.pk}/360").json()
    panel = next(p for p in answer["panels"] if p["key"] == "opportunities")
    assert panel["data"][0]["name"] == "Fibra 600"


def test_an_analyst_cannot_open_one_from_the_ficha(client, customer, pipeline):
    analyst = UserFactory(username="analista", role=Role.ANALYST)
    client.force_login(analyst)
    url = reverse("sales:opportunity_new", args=[customer.pk])
    refused = client.post(url, {"name": "X", "pipeline": pipeline.pk})
    assert refused.status_code == 403
    assert not Opportunity.objects.exists()


def test_win_loss_by_reason_stage_rep_and_period(client, api_as, rep, team, customer, pipeline):
    price = LostReasonFactory(name="Precio")
    stages = {s.name: s.pk for s in pipeline.stages.all()}
    for n, (path, reason) in enumerate(
        [(["Won"], None), (["Propose", "Lost"], price), (["Lost"], price), (["Won"], None)]
    ):
        o = opportunity_create(by=rep, customer_id=customer.pk, name=f"W{n}", amount=100 * (n + 1))
        for name in path:
            opportunity_move(
                by=rep,
                opportunity_id=o.pk,
                stage_id=stages[name],
                lost_reason_id=reason.pk if reason else None,
            )
    opportunity_create(by=rep, customer_id=customer.pk, name="open")
    data = win_loss(user=rep, filters=WinLossFilters())
    assert (data["totals"]["won"], data["totals"]["lost"]) == (2, 2)
    assert data["totals"]["won_amount"] == 500 and data["totals"]["win_rate"] == 50.0
    assert [(r["reason"], r["lost"]) for r in data["by_reason"]] == [("Precio", 2)]
    assert sorted((r["stage"], r["lost"]) for r in data["by_stage"]) == [
        ("Propose", 1),
        ("Qualify", 1),
    ]
    assert [(r["rep"], r["won"]) for r in data["by_rep"]] == [
        (rep.get_full_name() or rep.username, 2)
    ]
    assert data["by_period"][0]["period"] == datetime.date.today().replace(day=1)
    outsider = UserFactory(username="sur", teams=[TeamFactory(name="Sur")])
    assert win_loss(user=outsider, filters=WinLossFilters())["totals"]["won"] == 0
    api = api_as(rep).get("/win-loss?period=quarter").json()
    assert api["totals"]["lost"] == 2 and api["period"] == "quarter"
    assert api_as(rep).get("/win-loss?period=week").status_code == 422
    client.force_login(rep)
    page = client.get(reverse("sales:winloss"), {"period": "month"})
    assert page.status_code == 200 and "Precio" in page.content.decode()


def test_amounts_are_typed_and_shown_in_the_users_language(client, rep, opp):
    """A Spanish user types "12.500,50" (and sees it back as he would write it); an
    English user "12,500.50"; a number the language cannot read is refused on the field."""
    client.force_login(rep)
    url = reverse("sales:opportunity_edit", args=[opp.pk])
    data = {"name": "Fibra", "currency": "EUR", "owner": rep.pk}
    spanish = client.post(url, {**data, "amount": "12.500,50"}, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("12500.50")
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'value="12500,50"' in form and 'inputmode="decimal"' in form
    english = client.post(url, {**data, "amount": "7,250.5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("7250.5")
    refused = client.post(url, {**data, "amount": "7,25"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422 and "amount" in refused.context["form"].errors
    assert Opportunity.objects.get(pk=opp.pk).amount == Decimal("7250.5")
