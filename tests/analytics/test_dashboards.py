"""Dashboards and the warehouse status page, as users of each role see them."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from panorama.analytics.warehouse import load
from panorama.customers.services.customer import customer_update
from tests.factories import AdminFactory, UserFactory


def test_a_rep_sees_only_his_customers_rows(shop, client):
    load.warehouse_build()
    client.force_login(shop["bruno"])  # Pedro's rep: one delivered order of 200
    page = client.get(reverse("analytics:warehouse:dashboard", args=["salesadmin"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Pedro" in body and "Laura" not in body and "Marta" not in body

    export = client.get(
        reverse("analytics:warehouse:export", args=["commercial", "revenue", "csv"])
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Revenue", "Orders"]
    assert sum(float(r[1]) for r in rows[1:]) == 200.0  # only Pedro's order

    drill = client.get(
        reverse("analytics:warehouse:drill", args=["commercial", "activity"]),
        {"label": "phone"},
    )
    assert drill.status_code == 200
    assert "Pedro" in drill.content.decode()
    assert "Laura" not in drill.content.decode()


def test_an_analyst_sees_every_customer_and_drills_down_to_the_ficha(shop, client):
    load.warehouse_build()
    client.force_login(shop["analyst"])
    page = client.get(reverse("analytics:warehouse:dashboard", args=["finance"]))
    body = page.content.decode()
    for name in ("Laura", "Pedro", "Marta"):
        assert name in body
    assert reverse("customers:detail", args=[shop["laura"].pk]) in body
    assert "vendor/chartjs/chart.umd.min.js" in body  # served from our origin
    drill = client.get(
        reverse("analytics:warehouse:drill", args=["commercial", "activity"]),
        {"label": "phone"},
    )
    text = drill.content.decode()
    assert all(name in text for name in ("Laura", "Pedro", "Marta"))


def test_a_role_without_the_department_is_refused(shop, client):
    load.warehouse_build()
    client.force_login(shop["ana"])  # a rep: no finance dashboard
    assert client.get(reverse("analytics:warehouse:dashboard", args=["finance"])).status_code == 403
    assert client.get(reverse("analytics:warehouse:status")).status_code == 403
    assert client.post(reverse("analytics:warehouse:refresh")).status_code == 403


def test_exports_never_carry_a_formula(shop, client):
    laura = shop["laura"]
    customer_update(customer=laura, by=None, changes={"first_name": "=HYPERLINK(1)"})
    load.warehouse_build()
    client.force_login(shop["analyst"])
    url = reverse("analytics:warehouse:export", args=["finance", "profitability", "csv"])
    text = client.get(url).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    url = reverse("analytics:warehouse:export", args=["finance", "profitability", "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(str(n).startswith("'=HYPERLINK") for n in names)


def test_dashboards_before_the_first_build_say_so(transactional_db, wh_settings, client):
    client.force_login(AdminFactory())
    page = client.get(reverse("analytics:warehouse:dashboard", args=["commercial"]))
    assert page.status_code == 200
    assert "has not been built yet" in page.content.decode()


def test_an_administrator_refreshes_from_the_status_page(shop, client):
    load.warehouse_build()
    client.force_login(AdminFactory())
    page = client.get(reverse("analytics:warehouse:status"))
    assert "Refresh now" in page.content.decode()
    response = client.post(reverse("analytics:warehouse:refresh"), follow=True)
    text = response.content.decode()
    # The task ran (immediate backend in the tests): the page shows the refresh's figures.
    assert 'id="wh-kind">Refresh<' in text
    assert "fact_order" in text and "mart_finance_profitability" in text


def test_the_dashboards_speak_spanish(shop, client):
    load.warehouse_build()
    user = UserFactory(role="analyst", language="es")
    client.force_login(user)
    page = client.get(
        reverse("analytics:warehouse:dashboard", args=["commercial"]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Ingresos por mes" in page.content.decode()
