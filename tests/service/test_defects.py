"""Defect tracking: recording a product's fault, its lifecycle, the cases linked to it,
and the defects-per-product-per-month report, through services, pages and the API."""

import datetime

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.service.models import Defect
from panorama.service.selectors.defects import defect_cases, defect_report
from panorama.service.services.case import case_open
from panorama.service.services.defect import (
    DefectData,
    defect_link_case,
    defect_set_status,
    defect_update,
)
from panorama.service.services.defect import (
    defect_report as defect_record,
)
from tests.catalog.factories import ProductFactory

from ..factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def router_x():
    return ProductFactory(name="Router X")


def test_a_defect_found_on_a_case_is_recorded_and_linked(agent, router_x, emitted):
    customer = CustomerFactory()
    case = case_open(
        by=agent, customer_id=customer.pk, subject="Se reinicia", product_id=router_x.pk
    )
    with emitted() as events:
        defect = defect_record(
            by=agent,
            data=DefectData(router_x.pk, "  Reboots when hot ", version="2.1", component="PSU"),
            case_id=case.pk,
        )
    assert (defect.reference, defect.title, defect.status) == (
        f"D-{defect.pk:06d}",
        "Reboots when hot",
        "new",
    )
    assert list(defect.cases.all()) == [case]
    assert events[0][0] == "defect.reported"


def test_bad_defects_are_refused_and_nothing_is_written(agent, router_x):
    with pytest.raises(ValidationFailed, match="Title"):
        defect_record(by=agent, data=DefectData(router_x.pk, "   "))
    with pytest.raises(ValidationFailed, match="does not exist"):
        defect_record(by=agent, data=DefectData(999999, "x"))
    with pytest.raises(ValidationFailed):
        defect_record(by=agent, data=DefectData(router_x.pk, "x" * 201))
    with pytest.raises(ValidationFailed):
        defect_record(by=agent, data=DefectData(router_x.pk, "x", severity="apocalyptic"))
    assert Defect.objects.count() == 0


def test_the_lifecycle_is_enforced_and_only_quality_staff_move_it(agent, router_x):
    defect = defect_record(by=agent, data=DefectData(router_x.pk, "Battery swells"))
    with pytest.raises(Conflict, match="cannot become Closed"):
        defect_set_status(by=agent, defect_id=defect.pk, status="closed")
    rep = UserFactory(role=Role.SALES_REP)
    with pytest.raises(PermissionDenied):
        defect_set_status(by=rep, defect_id=defect.pk, status="confirmed")
    defect_set_status(by=agent, defect_id=defect.pk, status="confirmed")
    fixed = defect_set_status(by=agent, defect_id=defect.pk, status="fixed", fixed_in="2.2")
    assert (fixed.status, fixed.fixed_in) == ("fixed", "2.2")
    with pytest.raises(ValidationFailed, match="cannot be changed here"):
        defect_update(by=agent, defect_id=defect.pk, status="closed")


def test_a_case_about_another_product_is_not_linked(agent, router_x):
    other = ProductFactory()
    case = case_open(by=agent, customer_id=CustomerFactory().pk, subject="x", product_id=other.pk)
    defect = defect_record(by=agent, data=DefectData(router_x.pk, "x"))
    with pytest.raises(ValidationFailed, match="another product"):
        defect_link_case(by=agent, defect_id=defect.pk, case_id=case.pk)
    with pytest.raises(NotFound):
        defect_link_case(by=agent, defect_id=defect.pk, case_id=999999)


def test_a_rep_sees_only_the_linked_cases_of_his_customers(agent, router_x):
    rep = UserFactory(role=Role.SALES_REP, teams=[TeamFactory()])
    his = case_open(by=agent, customer_id=CustomerFactory(owner=rep).pk, subject="his")
    other = case_open(by=agent, customer_id=CustomerFactory().pk, subject="other")
    defect = defect_record(by=agent, data=DefectData(router_x.pk, "x"), case_id=his.pk)
    defect_link_case(by=agent, defect_id=defect.pk, case_id=other.pk)
    assert defect_cases(user=rep, defect=defect) == ([his], 1)
    assert len(defect_cases(user=agent, defect=defect)[0]) == 2


def test_the_report_counts_defects_per_product_per_month(
    agent, router_x, django_assert_max_num_queries
):
    phone = ProductFactory(name="Phone Y")
    for found, product, severity in [
        (datetime.date(2026, 9, 3), router_x, "major"),
        (datetime.date(2026, 11, 1), router_x, "critical"),
        (datetime.date(2026, 11, 20), router_x, "minor"),
        (datetime.date(2026, 10, 5), phone, "minor"),
        (datetime.date(2025, 1, 5), phone, "minor"),  # before the window
    ]:
        defect_record(by=agent, data=DefectData(product.pk, "x", severity=severity, found_on=found))
    with django_assert_max_num_queries(2):
        report = defect_report(months=3, until=datetime.date(2026, 11, 29))
    assert report.months == [
        datetime.date(2026, 9, 1),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    ]
    rows = {p.product: p for p in report.products}
    assert (rows["Router X"].per_month, rows["Router X"].critical) == ([1, 0, 2], 1)
    assert (rows["Phone Y"].per_month, rows["Phone Y"].total) == ([0, 1, 0], 1)
    assert report.per_month == [1, 1, 2]
    with pytest.raises(ValidationFailed):
        defect_report(months=0)


def test_pages_record_move_and_link(client, agent, router_x):
    client.force_login(agent)
    customer = CustomerFactory()
    case = case_open(by=agent, customer_id=customer.pk, subject="Ruido", product_id=router_x.pk)
    form = client.get(f"/service/defects/new/?case={case.pk}")
    assert form.status_code == 200 and case.reference in form.content.decode()
    response = client.post(
        f"/service/defects/new/?case={case.pk}",
        {"product": router_x.pk, "title": "Fan noise", "severity": "minor"},
    )
    defect = Defect.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/service/defects/{defect.pk}/"
    assert defect.reference in client.get(f"/service/cases/{case.pk}/").content.decode()
    bad = client.post("/service/defects/new/", {"product": router_x.pk, "title": ""})
    assert bad.status_code == 422
    wrong = client.post(f"/service/defects/{defect.pk}/status/", {"status": "closed"})
    assert wrong.status_code == 409 and "cannot become" in wrong.content.decode()
    client.post(f"/service/defects/{defect.pk}/status/", {"status": "fixed", "fixed_in": "3.0"})
    page = client.get(f"/service/defects/{defect.pk}/").content.decode()
    assert "3.0" in page
    unknown = client.post(f"/service/defects/{defect.pk}/cases/", {"case": "C-999999"})
    assert unknown.status_code == 404
    garbage = client.post(f"/service/defects/{defect.pk}/cases/", {"case": "hello"})
    assert garbage.status_code == 422
    listing = client.get("/service/defects/").content.decode()
    assert "Fan noise" in listing
    assert "Router X" in client.get("/service/defects/report/").content.decode()


def test_the_api(api, router_x):
    created = api.post("/api/v1/defects", json={"product_id": router_x.pk, "title": "Overheats"})
    assert created.status_code == 201, created.content
    defect_id = created.json()["id"]
    assert (
        api.post(f"/api/v1/defects/{defect_id}/status", json={"status": "closed"}).status_code
        == 409
    )
    assert (
        api.post("/api/v1/defects", json={"product_id": router_x.pk, "title": ""}).status_code
        == 422
    )
    assert (
        api.patch(f"/api/v1/defects/{defect_id}", json={"component": "fan"}).json()["component"]
        == "fan"
    )
    assert api.get("/api/v1/defects?status=nonsense").status_code == 422
    assert api.get("/api/v1/defects/999999").status_code == 404
    report = api.get("/api/v1/defects/report?months=2").json()
    assert report["products"][0]["product"] == "Router X"
