"""The service contracts on the shared list (core/lists): the contracts of the
customers the user sees and no others, the filters as chips kept in the URL (the old
``?ending=30`` links too), and *Renew* in bulk through ``contract_renew`` (a contract
renewed already is refused with the service's reason, the others renewed)."""

import datetime

import pytest
from django.utils import timezone

from panorama.service.models import ServiceContract
from panorama.service.services.asset import contract_create
from panorama.service.services.contract import contract_cancel

from ..factories import CustomerFactory, TeamFactory, UserFactory
from ..lists import export_csv, export_queries, list_bulk
from .field_world import field_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    # A sales rep sees his team's customers only (service agents see everyone).
    madrid = TeamFactory(name="Madrid")
    world = field_world(team=madrid)
    world.rep = UserFactory(username="vera", role="sales_rep", teams=[madrid])
    hidden_customer = CustomerFactory(first_name="Pedro", team=TeamFactory(name="Norte"))
    today = timezone.localdate()
    world.hidden = contract_create(
        by=None,
        customer_id=hidden_customer.pk,
        name="Contrato del norte",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=20),
    )
    world.soon = contract_create(
        by=None,
        customer_id=world.customer.pk,
        kind="warranty",
        name="Garantía caldera",
        starts_on=today - datetime.timedelta(days=300),
        ends_on=today + datetime.timedelta(days=12),
    )
    return world


def _bulk(client, **data):
    return list_bulk(client, "service_contracts", **data)


def test_the_user_sees_his_customers_contracts_only(client, w):
    client.force_login(w.rep)
    html = client.get("/service/contracts/").content.decode()
    assert 'id="service_contracts-list"' in html
    assert "Mantenimiento Oro" in html and "Garantía caldera" in html
    assert "Contrato del norte" not in html
    # Ending first: the warranty (12 days) before the contract (200 days).
    assert html.index("Garantía caldera") < html.index("Mantenimiento Oro")
    # Nor through a search for it.
    assert "Contrato del norte" not in client.get("/service/contracts/?q=norte").content.decode()


def test_a_chip_narrows_the_list_and_lives_in_the_url(client, w):
    client.force_login(w.rep)
    part = client.get(
        "/service/contracts/?ending=30",
        headers={"HX-Request": "true", "HX-Target": "service_contracts-list"},
    )
    html = part.content.decode()
    assert part.headers["HX-Push-Url"] == "/service/contracts/?ending=30"
    assert "Garantía caldera" in html and "Mantenimiento Oro" not in html
    assert "Ending within 30 days" in html  # the chip
    html = client.get("/service/contracts/?kind=contract").content.decode()
    assert "Mantenimiento Oro" in html and "Garantía caldera" not in html
    contract_cancel(by=w.dispatcher, contract_id=w.soon.pk, on=timezone.localdate(), reason="Baja")
    cancelled = client.get("/service/contracts/?state=cancelled").content.decode()
    assert "Garantía caldera" in cancelled and "Mantenimiento Oro" not in cancelled
    in_force = client.get("/service/contracts/?state=in_force").content.decode()
    assert "Mantenimiento Oro" in in_force and "Garantía caldera" not in in_force


def test_renew_in_bulk_goes_through_the_service_and_reports_refusals(client, w, emitted):
    client.force_login(w.rep)
    page = client.get("/service/contracts/").content.decode()
    assert "Renew for the next period" in page
    with emitted() as events:
        response = _bulk(client, action="renew", ids=[w.contract.pk, w.hidden.pk])
    assert response.context["list"].report.done == 1  # the hidden one is not reached
    renewed = ServiceContract.objects.get(renewed_from=w.contract)
    assert renewed.starts_on == w.contract.ends_on + datetime.timedelta(days=1)
    assert [p["contract_id"] for n, p in events if n == "contract.renewed"] == [renewed.pk]
    assert not ServiceContract.objects.filter(renewed_from=w.hidden).exists()
    again = _bulk(client, action="renew", ids=[w.contract.pk, w.soon.pk])
    report = again.context["list"].report
    assert report.done == 1
    assert len(report.refused) == 1 and "was already renewed" in report.refused[0][1]
    assert "1 row refused:" in again.content.decode()


def test_who_may_not_change_contracts_gets_no_renewal(client, w):
    reader = UserFactory(username="reader", role="analyst")  # reads everything, changes nothing
    client.force_login(reader)
    page = client.get("/service/contracts/").content.decode()
    assert "Contrato del norte" in page  # an analyst reads every customer's
    assert "Renew for the next period" not in page
    response = _bulk(client, action="renew", ids=[w.contract.pk])
    assert response.context["list"].bulk_error == "Choose an action."
    assert not ServiceContract.objects.filter(renewed_from=w.contract).exists()


def test_the_export_holds_his_customers_filtered_contracts_only(client, w):
    client.force_login(w.rep)
    rows = export_csv(client, "service_contracts", "kind=warranty&cols=name,customer,kind")
    assert rows == [["Name", "Customer", "Kind"], ["Garantía caldera", "Lucía Gómez", "Warranty"]]
    everything = export_csv(client, "service_contracts", "cols=name")
    assert sorted(everything[1:]) == [["Garantía caldera"], ["Mantenimiento Oro"]]  # no norte


def test_the_export_costs_the_same_queries_for_one_contract_or_many(client, w):
    client.force_login(w.rep)
    query = "kind=warranty&cols=reference,name,customer,kind,starts_on,ends_on,status,owner"
    one = export_queries(client, "service_contracts", query)
    today = timezone.localdate()
    for n in range(8):
        contract_create(
            by=None,
            customer_id=CustomerFactory(team=w.customer.team).pk,
            owner=UserFactory(),
            kind="warranty",
            name=f"Garantía {n}",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=100 + n),
        )
    assert export_queries(client, "service_contracts", query) == one
