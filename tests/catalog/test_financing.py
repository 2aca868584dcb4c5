"""Financing schedules (French amortisation) against examples worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.catalog.models import FinancingPlan
from panorama.catalog.services.financing import (
    add_months,
    financing_plan_create,
    financing_schedule,
    french_instalment,
)
from panorama.core.exceptions import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
JAN_31 = datetime.date(2026, 1, 31)


def plan(instalments, rate, fee="0", **extra):
    return FinancingPlan(
        code="p",
        name="Plan",
        instalments=instalments,
        annual_rate=Decimal(rate),
        opening_fee_percent=Decimal(fee),
        **extra,
    )


def test_ten_thousand_at_five_percent_over_twelve_months():
    # i = 5 / 1200 = 0.0041667; (1 + i)^12 = 1.0511619; instalment
    # = 10,000 × 0.0041667 / (1 - 1 / 1.0511619) = 41.6667 / 0.0486722 = 856.0748 → 856.07.
    schedule = financing_schedule(plan=plan(12, "5"), amount="10000", start=JAN_31)
    first, second, *_middle, last = schedule.rows

    assert schedule.instalment == Decimal("856.07")
    # Month 1: interest 10,000 × 0.0041667 = 41.67; principal 856.07 - 41.67 = 814.40.
    assert (first.interest, first.principal, first.remaining) == (
        Decimal("41.67"),
        Decimal("814.40"),
        Decimal("9185.60"),
    )
    # Month 2: interest 9,185.60 × 0.0041667 = 38.2733 → 38.27; principal 817.80.
    assert (second.interest, second.principal, second.remaining) == (
        Decimal("38.27"),
        Decimal("817.80"),
        Decimal("8367.80"),
    )
    # The last instalment repays what is left (852.57) plus its interest (3.55): 856.12,
    # five cents of rounding more than the others.
    assert (last.number, last.instalment, last.principal, last.remaining) == (
        12,
        Decimal("856.12"),
        Decimal("852.57"),
        Decimal("0.00"),
    )
    assert sum(row.principal for row in schedule.rows) == Decimal("10000.00")
    # 11 × 856.07 + 856.12 - 10,000 = 272.89 of interest.
    assert schedule.total_interest == Decimal("272.89")
    assert [row.date for row in schedule.rows[:3]] == [
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
    ]


def test_six_thousand_at_seven_percent_over_two_years():
    # i = 7 / 1200 = 0.0058333; (1 + i)^24 = 1.1498060; instalment
    # = 35.00 / (1 - 1 / 1.1498060) = 35.00 / 0.1302869 = 268.6355 → 268.64.
    # Month 1: interest 6,000 × 0.0058333 = 35.00, principal 233.64, remaining 5,766.36.
    schedule = financing_schedule(plan=plan(24, "7"), amount="6000", start=JAN_31)
    assert schedule.instalment == Decimal("268.64")
    assert (schedule.rows[0].interest, schedule.rows[0].principal) == (
        Decimal("35.00"),
        Decimal("233.64"),
    )
    # The rounding up of every instalment repays a little early: the last is 268.54.
    assert schedule.rows[-1].instalment == Decimal("268.54")
    assert schedule.total_interest == 23 * Decimal("268.64") + Decimal("268.54") - 6000


def test_without_interest_the_last_instalment_takes_the_cent():
    # 1,000 / 3 = 333.333…: 333.33, 333.33 and 333.34.
    schedule = financing_schedule(plan=plan(3, "0"), amount="1000", start=JAN_31)
    assert [row.instalment for row in schedule.rows] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("333.34"),
    ]
    assert (schedule.total_interest, schedule.apr) == (Decimal("0.00"), Decimal("0"))


def test_the_opening_fee_raises_the_apr_above_the_nominal_rate():
    # 2 % of 10,000 = 200.00 paid up front: the same instalments repay 9,800 received.
    # Without the fee the TAE of 5 % TIN is (1 + 0.05/12)^12 - 1 = 5.12 %.
    without = financing_schedule(plan=plan(12, "5"), amount="10000", start=JAN_31)
    schedule = financing_schedule(plan=plan(12, "5", fee="2"), amount="10000", start=JAN_31)
    assert without.apr == Decimal("5.12")
    assert schedule.opening_fee == Decimal("200.00")
    assert schedule.total_paid == Decimal("10000") + Decimal("272.89") + Decimal("200.00")
    assert Decimal("9") < schedule.apr < Decimal("9.5")


def test_months_keep_the_day_or_take_the_last_of_a_shorter_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)
    assert french_instalment(Decimal("1200"), Decimal("0"), 12) == Decimal("100.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "more than 0"),
        ("-5", "more than 0"),
        ("abc", "number"),
        ("50", "from 100"),
        ("90000", "up to 50000"),
    ],
)
def test_an_amount_the_plan_does_not_take_is_refused(amount, words):
    limited = plan(12, "5", min_amount=Decimal("100"), max_amount=Decimal("50000"))
    with pytest.raises(ValidationFailed, match=words) as refused:
        financing_schedule(plan=limited, amount=amount)
    assert refused.value.field == "amount"


def test_plans_are_created_by_catalogue_managers(manager, rep, emitted):
    with pytest.raises(PermissionDenied):
        financing_plan_create(by=rep, code="x", name="X", instalments=12, annual_rate="5")
    with pytest.raises(ValidationFailed) as refused:
        financing_plan_create(by=manager, code="x", name="X", instalments=0, annual_rate="5")
    assert refused.value.field == "instalments"
    with emitted() as events:
        created = financing_plan_create(
            by=manager, code="12m", name="12 meses", instalments=12, annual_rate="5"
        )
    assert events == [
        ("financing_plan.changed", {"plan_id": created.pk, "code": "12m", "by": manager.pk})
    ]


def test_the_api_and_the_screen_show_the_schedule(api_as, client, rep):
    created = financing_plan_create(
        by=None, code="12m", name="12 meses al 5 %", instalments=12, annual_rate="5"
    )
    answer = api_as(rep).post(
        f"/catalog/financing-plans/{created.pk}/schedule",
        json={"amount": "10000", "start": "2026-01-31"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["instalment"], len(body["rows"]), body["rows"][-1]["instalment"]) == (
        "856.07",
        12,
        "856.12",
    )
    assert [p["code"] for p in api_as(rep).get("/catalog/financing-plans").json()["items"]] == [
        "12m"
    ]
    refused = api_as(rep).post(
        f"/catalog/financing-plans/{created.pk}/schedule", json={"amount": "-1"}
    )
    assert refused.status_code == 422 and "amount" in refused.json()["errors"]

    client.force_login(rep)
    page = client.get(
        reverse("catalog:financing"),
        {"plan": created.pk, "amount": "10000,00", "start": "2026-01-31"},
        headers={"Accept-Language": "es"},
    ).content.decode()
    assert "856,07" in page and "856,12" in page and 'id="schedule-rows"' in page
