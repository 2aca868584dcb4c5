"""The data-mining scores in the warehouse: the churn model's real run writes
``CustomerScore.churn_risk``, the build copies it to ``fact_score.churn_probability``,
and the marketing mart, its "customers to look after first" widget (with its team
filter) and the report builder show it."""

import datetime
import random
from io import StringIO

import pytest
from django.core.management import call_command

from panorama.accounts.models import Role
from panorama.analytics.models import CustomerScore
from panorama.analytics.reports import selectors as reports
from panorama.analytics.services.purchases import purchases_import
from panorama.analytics.warehouse import engine, load
from panorama.analytics.warehouse.selectors import Filters, widget_data
from panorama.customers.models import Customer
from tests.factories import TeamFactory, UserFactory

END = datetime.date(2024, 12, 31)


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def customer(external_id: str) -> Customer:
    return Customer.objects.get(identities__value=external_id)


@pytest.fixture
def scored(transactional_db, wh_settings, tmp_path):
    """40 regulars and 40 faders imported by two reps (faders 60–79 are Bruno's, in the
    South team), then the churn model run from the command line."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ana = UserFactory(username="ana", role=Role.SALES_REP, teams=[north])
    bruno = UserFactory(username="bruno", role=Role.SALES_REP, teams=[south])
    rng = random.Random(7)
    files: dict[str, list[str]] = {"ana": [], "bruno": []}
    for n in range(80):
        day = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 20))
        stop = END if n < 40 else END - datetime.timedelta(days=rng.randint(150, 250))
        while day <= stop:
            name = "bruno" if n >= 60 else "ana"
            files[name].append(f"{'reg' if n < 40 else 'fad'}{n},{day},{rng.randint(10, 60)}")
            day += datetime.timedelta(days=rng.randint(12, 24))
    for user in (ana, bruno):
        path = tmp_path / f"{user.username}.csv"
        path.write_text("\n".join(["customer_id,date,amount", *files[user.username]]) + "\n")
        purchases_import(source=path, by=user)
    call_command(
        "analytics", "churn", "--as-of", str(END), "--horizon-days", "90", stdout=StringIO()
    )
    return {"ana": ana, "bruno": bruno, "north": north, "south": south}


def test_the_churn_risk_the_model_wrote_reaches_the_mart_the_widget_and_reports(scored):
    load.warehouse_build()
    written = dict(CustomerScore.objects.values_list("customer_id", "churn_risk"))
    assert len(written) == 80 and None not in written.values()
    in_mart = dict(rows("SELECT customer_id, churn_probability FROM mart_marketing_priority"))
    assert set(in_mart) == set(written)
    for customer_id, risk in written.items():
        assert in_mart[customer_id] == pytest.approx(risk)
    fader = customer("fad50").pk
    assert in_mart[fader] > 0.7

    # The marketing dashboard's "customers to look after first", on the South team.

    marketer = UserFactory(role=Role.MARKETING, teams=[scored["south"]])
    south = Filters(team_id=scored["south"].pk)
    data = widget_data(user=marketer, department="marketing", key="priority", filters=south)
    assert {row[0] for row in data.rows} == {customer(f"fad{n}").pk for n in range(60, 80)}
    churn = [row[3] for row in data.rows]
    assert all(value is not None and value > 0.5 for value in churn)

    analyst = UserFactory(role=Role.ANALYST)
    # Value at risk = churn probability × revenue (the imported history, no CLV run):
    # the faders come first.
    everyone = widget_data(user=analyst, department="marketing", key="priority", filters=Filters())
    faders = {customer(f"fad{n}").pk for n in range(40, 80)}
    assert {row[0] for row in everyone.rows[:20]} <= faders
    assert all(row[2] > 0 for row in everyone.rows[:20])

    definition = {
        "name": "Customers likely to leave",
        "source": "mart_marketing_priority",
        "dimensions": [],
        "measures": [
            {"column": "customer_id", "agg": "count"},
            {"column": "churn_probability", "agg": "avg"},
        ],
        "filters": [{"column": "churn_probability", "op": "gte", "value": "0.5"}],
        "chart": "table",
        "shared_roles": [],
    }
    everyone = reports.report_run(user=analyst, definition=definition)
    assert everyone.rows[0][0] == len(
        [r for r in CustomerScore.objects.values_list("churn_risk", flat=True) if r >= 0.5]
    )
