"""The forecast: weighted open opportunities per category and what was won, per rep,
for a month or a quarter; managers' adjustments with their history; the scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from panorama.sales.forecast import forecast_for, period_bounds, period_shift
from panorama.sales.models import ForecastAdjustment, Stage
from panorama.sales.services.forecast import forecast_adjust
from panorama.sales.services.opportunity import opportunity_create, opportunity_move

from ..factories import (
    AdminFactory,
    CustomerFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = f"{TODAY.year}-{TODAY.month:02d}"


@pytest.fixture
def world(rep, team):
    pipeline = pipeline_with_stages()
    Stage.objects.filter(pipeline=pipeline, name="Propose").update(forecast_category="best_case")
    Stage.objects.filter(pipeline=pipeline, name="Negotiate").update(forecast_category="commit")
    south = TeamFactory(name="Sur")
    colleague = UserFactory(username="colega", teams=[team])
    other = UserFactory(username="sur", teams=[south])
    customer = CustomerFactory(owner=rep, team=team)
    south_customer = CustomerFactory(owner=other, team=south)

    def opp(owner, cust, stage, amount, close=TODAY):
        o = opportunity_create(
            by=None,
            customer_id=cust.pk,
            name=f"{stage} {amount}",
            amount=amount,
            expected_close=close,
            owner=owner,
        )
        if stage != "Qualify":
            opportunity_move(
                by=None, opportunity_id=o.pk, stage_id=pipeline.stages.get(name=stage).pk
            )
        return o

    opp(rep, customer, "Qualify", 1000)  # 10 %: 100 pipeline
    opp(rep, customer, "Propose", 1000)  # 40 %: 400 best case
    opp(rep, customer, "Negotiate", 1000)  # 70 %: 700 commit
    opp(rep, customer, "Won", 2500)  # closed now: 2500
    opp(
        rep, customer, "Negotiate", 9000, close=TODAY + datetime.timedelta(days=400)
    )  # not this period
    opp(colleague, customer, "Qualify", 500)  # 50
    opp(other, south_customer, "Negotiate", 10000)
    return {
        "rep": rep,
        "colleague": colleague,
        "other": other,
        "team": team,
        "south": south,
        "manager": UserFactory(username="jefa", role=Role.SALES_MANAGER, managed_teams=[team]),
    }


def test_periods():
    assert period_bounds("2026-11") == (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))
    assert period_bounds("2026-Q4") == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    assert period_shift("2026-12", 1) == "2027-01" and period_shift("2026-Q1", -1) == "2025-Q4"
    for bad in ("2026-13", "2026-Q5", "nov", ""):
        with pytest.raises(ValidationFailed):
            period_bounds(bad)


def test_a_reps_forecast_is_weighted_by_category(world):
    forecast = forecast_for(user=world["rep"], period=PERIOD)
    [row] = [r for r in forecast.rows if r.rep == world["rep"]]
    assert row.computed == {
        "pipeline": Decimal("100.00"),
        "best_case": Decimal("400.00"),
        "commit": Decimal("700.00"),
        "closed": Decimal("2500.00"),
    }
    # A rep sees his team's opportunities, never the other team's.
    assert {r.rep.username for r in forecast.rows} == {"rep", "colega"}
    assert forecast.total.computed["pipeline"] == Decimal("150.00")
    assert not forecast.quota_available  # no incentives app: no quota


def test_the_quarter_holds_the_month(world):
    quarter = f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"
    row = next(
        r for r in forecast_for(user=world["rep"], period=quarter).rows if r.rep == world["rep"]
    )
    assert row.computed["commit"] == Decimal("700.00")


def test_a_manager_sees_his_teams_and_adjusts_with_history(world, emitted):
    manager, rep = world["manager"], world["rep"]
    forecast = forecast_for(user=manager, period=PERIOD)
    assert {r.rep.username for r in forecast.rows} == {"rep", "colega"}
    forecast_adjust(by=manager, period=PERIOD, category="commit", amount="900", rep_id=rep.pk)
    with emitted() as events:
        forecast_adjust(
            by=manager,
            period=PERIOD,
            category="commit",
            amount="800",
            rep_id=rep.pk,
            comment="Firma el 28",
        )
    assert events[0][0] == "forecast.adjusted"
    row = next(r for r in forecast_for(user=manager, period=PERIOD).rows if r.rep == rep)
    assert row.figure("commit") == Decimal("800.00")  # the latest wins
    assert row.computed["commit"] == Decimal("700.00")  # the computed figure stays
    assert ForecastAdjustment.objects.count() == 2  # the history is kept
    team_forecast = forecast_for(user=manager, period=PERIOD, team_id=world["team"].pk)
    forecast_adjust(
        by=manager, period=PERIOD, category="closed", amount=3000, team_id=world["team"].pk
    )
    team_forecast = forecast_for(user=manager, period=PERIOD, team_id=world["team"].pk)
    assert team_forecast.total.figure("closed") == Decimal("3000.00")


def test_only_managers_of_the_team_and_admins_adjust(world):
    for user, target in [
        (world["rep"], {"rep_id": world["rep"].pk}),
        (world["manager"], {"rep_id": world["other"].pk}),
        (world["manager"], {"team_id": world["south"].pk}),
        (world["manager"], {"rep_id": world["manager"].pk}),
    ]:
        with pytest.raises(PermissionDenied):
            forecast_adjust(by=user, period=PERIOD, category="commit", amount=1, **target)
    assert not ForecastAdjustment.objects.exists()
    forecast_adjust(
        by=AdminFactory(username="root"),
        period=PERIOD,
        category="commit",
        amount=1,
        team_id=world["south"].pk,
    )


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"period": "2026-13"}, "period"),
        ({"category": "omitted"}, "category"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"rep_id": None}, "rep_id"),
    ],
)
def test_bad_adjustments_name_the_field(world, bad, field):
    data = {
        "period": PERIOD,
        "category": "commit",
        "amount": "10",
        "rep_id": world["rep"].pk,
        **bad,
    }
    with pytest.raises(ValidationFailed) as error:
        forecast_adjust(by=world["manager"], **data)
    assert error.value.field == field


def test_another_managers_team_is_not_found(world):
    with pytest.raises(NotFound):
        forecast_for(user=world["manager"], period=PERIOD, team_id=world["south"].pk)


def test_the_forecast_query_count_does_not_grow(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        forecast_for(user=world["manager"], period=PERIOD, team_id=world["team"].pk)


def test_the_page_shows_rows_and_saves_an_adjustment(client, world):
    manager = world["manager"]
    client.force_login(manager)
    page = client.get(reverse("sales:forecast") + f"?period={PERIOD}")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="forecast-table"' in html
    assert world["rep"].get_full_name() in html and world["other"].get_full_name() not in html
    saved = client.post(
        reverse("sales:forecast_adjust") + f"?period={PERIOD}",
        {"target": f"rep:{world['rep'].pk}", "category": "commit", "amount": "750", "comment": ""},
    )
    assert saved.status_code == 302
    assert ForecastAdjustment.objects.get().amount == Decimal("750.00")
    html = client.get(saved["Location"]).content.decode()
    assert "adjusted" in html
    refused = client.post(
        reverse("sales:forecast_adjust") + f"?period={PERIOD}",
        {"target": f"rep:{world['rep'].pk}", "category": "commit", "amount": "-1"},
    )
    assert refused.status_code == 422
    quarter = client.get(reverse("sales:forecast") + "?kind=quarter").content.decode()
    assert f"{TODAY.year}-Q" in quarter
    client.force_login(world["other"])
    assert client.get(reverse("sales:forecast") + f"?team={world['team'].pk}").status_code == 404


def test_the_api(api_as, world):
    manager = api_as(world["manager"])
    body = manager.get(f"/forecast?period={PERIOD}").json()
    rep_row = next(r for r in body["rows"] if r["rep_id"] == world["rep"].pk)
    commit = next(c for c in rep_row["cells"] if c["category"] == "commit")
    assert Decimal(commit["computed"]) == Decimal("700.00") and commit["adjusted"] is None
    created = manager.post(
        "/forecast/adjustments",
        json={"period": PERIOD, "category": "commit", "amount": "650", "rep_id": world["rep"].pk},
    )
    assert created.status_code == 201, created.content
    body = manager.get(f"/forecast?period={PERIOD}").json()
    rep_row = next(r for r in body["rows"] if r["rep_id"] == world["rep"].pk)
    commit = next(c for c in rep_row["cells"] if c["category"] == "commit")
    assert Decimal(commit["figure"]) == Decimal("650.00")
    assert len(body["adjustments"]) == 1
    bad = manager.get("/forecast?period=2026-13")
    assert bad.status_code == 422 and "period" in bad.json()["errors"]
    assert api_as(world["other"]).get(f"/forecast?team_id={world['team'].pk}").status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_pipeline(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["manager"])
    url = reverse("sales:forecast") + f"?period={PERIOD}&team={world['team'].pk}"
    client.get(url)
    customer = CustomerFactory(owner=world["rep"], team=world["team"])
    for n in range(20):
        opportunity_create(
            by=None,
            customer_id=customer.pk,
            name=f"Más {n}",
            amount=100,
            expected_close=TODAY,
            owner=world["colleague"],
        )
    with django_assert_max_num_queries(9):
        page = client.get(url)
    assert page.status_code == 200
