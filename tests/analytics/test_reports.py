"""The report builder: a report saved from the whitelist of a mart (dimensions, measures,
filters, chart), shared with roles, each reader seeing only his customers' rows, as a
table, a chart and a CSV; every bad definition refused with the field named."""

import csv
import io

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.analytics.models import Report
from panorama.analytics.reports import selectors
from panorama.analytics.reports.services import report_save
from panorama.analytics.warehouse import load
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from tests.factories import InteractionFactory, UserFactory

REVENUE = {
    "name": "Revenue by month",
    "source": "mart_commercial_results",
    "dimensions": ["month"],
    "measures": [{"column": "revenue", "agg": "sum"}, {"column": "orders", "agg": "sum"}],
    "filters": [],
    "chart": "bar",
    "shared_roles": [Role.SALES_REP],
}


def total(data, position=1):
    return sum(float(row[position]) for row in data.rows)


def test_a_shared_report_shows_each_reader_his_own_customers(shop, client):
    load.warehouse_build()
    report = report_save(by=shop["analyst"], data=REVENUE)
    # Sold orders: Laura 55 + 255 and Marta 55 (Ana's), Pedro 200 (Bruno's).
    assert total(selectors.report_data(user=shop["analyst"], report=report)) == 565.0
    assert total(selectors.report_data(user=shop["ana"], report=report)) == 365.0
    assert total(selectors.report_data(user=shop["bruno"], report=report)) == 200.0
    client.force_login(shop["bruno"])
    listing = client.get(reverse("analytics:report_list")).content.decode()
    assert "Revenue by month" in listing
    page = client.get(reverse("analytics:report_detail", args=[report.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-pn-chart="report-data"' in body
    edit = reverse("analytics:report_edit", args=[report.pk])
    assert "Sum · Revenue" in body and edit not in body  # not his to edit
    export = client.get(reverse("analytics:report_csv", args=[report.pk]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Sum · Revenue", "Sum · Orders"]
    assert sum(float(r[1]) for r in rows[1:]) == 200.0
    # Not shared with service agents: for them it does not exist.
    agent = UserFactory(role=Role.SERVICE_AGENT)
    client.force_login(agent)
    assert client.get(reverse("analytics:report_detail", args=[report.pk])).status_code == 404
    assert "Revenue by month" not in client.get(reverse("analytics:report_list")).content.decode()


def test_filters_group_and_count(shop):
    load.warehouse_build()
    definition = {
        "source": "mart_operations_orders",
        "dimensions": ["status"],
        "measures": [{"column": "orders", "agg": "sum"}, {"column": "value", "agg": "avg"}],
        "filters": [{"column": "status", "op": "ne", "value": "cancelled"}],
    }
    data = selectors.report_run(user=shop["analyst"], definition=definition)
    assert dict((r[0], int(r[1])) for r in data.rows) == {"confirmed": 1, "delivered": 3}
    definition["filters"].append({"column": "value", "op": "gte", "value": "100"})
    data = selectors.report_run(user=shop["analyst"], definition=definition)
    assert [(r[0], int(r[1])) for r in data.rows] == [("delivered", 2)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"source": "auth_user"}, "source"),
        ({"dimensions": ["password"]}, "dimensions"),
        ({"measures": []}, "measures"),
        ({"measures": [{"column": "revenue; DROP TABLE x", "agg": "sum"}]}, "measures.0"),
        ({"measures": [{"column": "revenue", "agg": "median"}]}, "measures.0"),
        ({"filters": [{"column": "month", "op": "eq", "value": "2024"}]}, "filters.0"),
        ({"filters": [{"column": "revenue", "op": "gte", "value": "lots"}]}, "filters.0"),
        ({"chart": "pie3d"}, "chart"),
        ({"dimensions": [], "chart": "bar"}, "chart"),
        ({"shared_roles": ["everyone"]}, "shared_roles"),
    ],
)
def test_a_bad_definition_names_its_field(db, change, field):
    analyst = UserFactory(role=Role.ANALYST)
    with pytest.raises(ValidationFailed) as bad:
        report_save(by=analyst, data={**REVENUE, **change})
    assert bad.value.field == field
    assert not Report.objects.exists()


def test_only_the_marts_of_ones_dashboards_and_only_the_owner_edits(db, api_as, wh_settings):
    rep = UserFactory(role=Role.SALES_REP)
    finance = {
        **REVENUE,
        "source": "mart_finance_incidents",
        "measures": [{"column": "amount", "agg": "sum"}],
    }
    with pytest.raises(PermissionDenied):
        report_save(by=rep, data=finance)
    assert api_as(rep).post("/analytics/reports", json=finance).status_code == 403
    assert "mart_finance_incidents" not in {
        s["mart"] for s in api_as(rep).get("/analytics/reports/sources").json()
    }
    analyst = UserFactory(role=Role.ANALYST)
    created = api_as(analyst).post("/analytics/reports", json=REVENUE)
    assert created.status_code == 201
    report_id = created.json()["id"]
    assert api_as(rep).get(f"/analytics/reports/{report_id}").json()["name"] == "Revenue by month"
    assert api_as(rep).patch(f"/analytics/reports/{report_id}", json=REVENUE).status_code == 403
    assert api_as(rep).delete(f"/analytics/reports/{report_id}").status_code == 403
    bad = api_as(analyst).patch(
        f"/analytics/reports/{report_id}", json={**REVENUE, "chart": "pie3d"}
    )
    assert bad.status_code == 422 and "pie3d" in bad.json()["detail"]
    # The warehouse is not built in this test: a clear 409, not a 500.
    assert api_as(analyst).get(f"/analytics/reports/{report_id}/data").status_code == 409
    assert api_as(analyst).delete(f"/analytics/reports/{report_id}").status_code == 204
    assert api_as(analyst).get(f"/analytics/reports/{report_id}").status_code == 404


def test_the_editor_saves_a_report(shop, client):
    load.warehouse_build()
    client.force_login(shop["analyst"])
    page = client.get(reverse("analytics:report_new"), {"source": "mart_commercial_pipeline"})
    assert page.status_code == 200 and 'name="mc0"' in page.content.decode()
    form = {
        "source": "mart_commercial_pipeline",
        "name": "Pipeline by stage",
        "dimensions": ["stage"],
        "mc0": "amount",
        "ma0": "sum",
        "chart": "doughnut",
        "shared_roles": [Role.SALES_MANAGER],
    }
    bad = client.post(reverse("analytics:report_new"), {**form, "mc0": ""})
    assert bad.status_code == 422 and "Choose between 1 and" in bad.content.decode()
    saved = client.post(reverse("analytics:report_new"), form)
    report = Report.objects.get(name="Pipeline by stage")
    assert saved.status_code == 302 and report.shared_roles == [Role.SALES_MANAGER]
    body = client.get(reverse("analytics:report_detail", args=[report.pk])).content.decode()
    assert "Negotiate" in body and "Propose" in body


def test_choosing_another_data_swaps_only_the_columns(db, client, wh_settings):
    client.force_login(UserFactory(role=Role.ANALYST))
    page = client.get(reverse("analytics:report_new")).content.decode()
    url = reverse("analytics:report_new")
    assert f'hx-get="{url}"' in page and 'id="report-definition"' in page
    swapped = client.get(
        reverse("analytics:report_new"),
        {"source": "mart_marketing_campaigns"},
        HTTP_HX_REQUEST="true",
    )
    body = swapped.content.decode()
    # The definition's part alone, with the campaign mart's columns, no page around it.
    assert body.startswith('<div id="report-definition"') and "<html" not in body
    assert 'value="opened"' in body and 'value="campaign"' in body
    assert 'value="revenue"' in body and 'value="stage"' not in body
    other = client.get(
        reverse("analytics:report_new"),
        {"source": "mart_commercial_pipeline"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'value="stage"' in other and 'value="opened"' not in other


def test_a_report_grouped_by_two_columns_pivots_the_last_one(shop, client):
    InteractionFactory(customer=shop["marta"], channel="email", direction="outbound")
    load.warehouse_build()
    report = report_save(
        by=shop["analyst"],
        data={
            "name": "Contacts by channel and direction",
            "source": "mart_commercial_activity",
            "dimensions": ["channel", "direction"],
            "measures": [{"column": "interactions", "agg": "sum"}],
            "chart": "table",
        },
    )
    pivot = selectors.report_data(user=shop["analyst"], report=report).pivot()
    assert pivot.columns == ["Channel", "inbound", "outbound"]
    assert sorted(pivot.rows) == [("email", None, 1), ("phone", 6, None)]
    client.force_login(shop["analyst"])
    page = client.get(reverse("analytics:report_detail", args=[report.pk]), {"view": "pivot"})
    assert 'id="report-pivot"' in page.content.decode()
    export = client.get(reverse("analytics:report_csv", args=[report.pk]), {"view": "pivot"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["Channel", "inbound", "outbound"]
    assert sorted(rows[1:]) == [["email", "", "1"], ["phone", "6", ""]]
    # Grouped by one column: nothing to pivot.
    report.dimensions = ["channel"]
    assert selectors.report_data(user=shop["analyst"], report=report).pivot() is None
