"""The field service API: a work order from creation to completion, scope (404 out of
it), bad input answered 4xx with a message, never 500; in the OpenAPI schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.accounts.models import Role

from ..factories import CustomerFactory, TeamFactory, UserFactory
from .field_world import field_world, tiny_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return field_world()


def test_a_work_order_from_creation_to_completion(api_as, w):
    dispatcher, tech = api_as(w.dispatcher), api_as(w.tech)
    cover = dispatcher.get(f"/service/assets/{w.asset.pk}/coverage").json()
    assert cover["covered"] and cover["contract_id"] == w.contract.pk
    created = dispatcher.post(
        "/service/work-orders", json={"asset_id": w.asset.pk, "subject": "Fuga", "skill": "boiler"}
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["customer_id"] == w.customer.pk and order["contract_id"] == w.contract.pk
    wo = f"/service/work-orders/{order['id']}"
    refused = dispatcher.post(f"{wo}/dispatch", json={"technician_id": w.tech2.pk})
    assert refused.status_code == 422 and "skill" in refused.json()["detail"]
    ok = dispatcher.post(f"{wo}/dispatch", json={"technician_id": w.tech.pk})
    assert ok.json()["status"] == "scheduled"
    assert tech.post(f"{wo}/status", json={"status": "in_progress"}).status_code == 200
    too_many = tech.post(f"{wo}/parts", json={"part_id": w.valve.pk, "quantity": 5})
    assert too_many.status_code == 409 and "Only 2" in too_many.json()["detail"]
    assert tech.post(f"{wo}/parts", json={"part_id": w.valve.pk, "quantity": 1}).status_code == 201
    not_image = tech.post(
        f"{wo}/signature",
        data={
            "signed_by": "Lucía",
            "signature": SimpleUploadedFile("s.png", b"hello", "image/png"),
        },
    )
    assert not_image.status_code == 422
    assert "not one" in not_image.json()["detail"]
    signed = tech.post(
        f"{wo}/signature",
        data={
            "signed_by": "Lucía",
            "signature": SimpleUploadedFile("s.png", tiny_png(), "image/png"),
        },
    )
    assert signed.status_code == 200, signed.content
    done = tech.post(f"{wo}/complete", json={"minutes_spent": 30, "checklist_done": [0, 1, 2]})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    low = dispatcher.get("/service/stock?low=1").json()
    assert [(s["location_name"], s["quantity"]) for s in low] == []


def test_out_of_scope_is_404_and_bad_input_4xx(api_as, w):
    order = (
        api_as(w.dispatcher)
        .post("/service/work-orders", json={"asset_id": w.asset.pk, "subject": "Fuga"})
        .json()
    )
    # The other technician does not see it, nor does a rep who does not see the customer.
    assert api_as(w.tech2).get(f"/service/work-orders/{order['id']}").status_code == 404
    hidden = CustomerFactory(owner=UserFactory(), team=TeamFactory(name="Sur"))
    rep = UserFactory(username="rep9", role=Role.SALES_REP, teams=[TeamFactory(name="Norte")])
    api = api_as(rep)
    assert api.get(f"/service/assets/{w.asset.pk}").status_code == 404
    assert api.get(f"/service/contracts/{w.contract.pk}").status_code == 404
    assert api.get(f"/service/work-orders/{order['id']}").status_code == 404
    assert api.get("/service/assets").json()["items"] == []
    dispatcher = api_as(w.dispatcher)
    dup = dispatcher.post(
        "/service/assets",
        json={"customer_id": w.customer.pk, "product_id": w.boiler.pk, "serial_number": "SN-0001"},
    )
    assert dup.status_code == 422 and "already registered" in dup.json()["detail"]
    bad = dispatcher.post(
        "/service/contracts",
        json={
            "customer_id": w.customer.pk,
            "name": "X",
            "starts_on": "2026-01-02",
            "ends_on": "2026-01-01",
        },
    )
    assert bad.status_code == 422
    assert (
        dispatcher.post(
            "/service/stock/transfers",
            json={
                "part_id": w.valve.pk,
                "from_location_id": w.van.pk,
                "to_location_id": w.van.pk,
                "quantity": 1,
            },
        ).status_code
        == 422
    )
    assert dispatcher.get("/service/work-orders?status=nope").status_code == 422
    assert (
        api.post(
            "/service/assets",
            json={"customer_id": hidden.pk, "product_id": w.boiler.pk, "serial_number": "Z"},
        ).status_code
        == 404
    )


def test_lists_are_bounded_in_queries(api_as, w, django_assert_max_num_queries):
    api = api_as(w.dispatcher)
    for n in range(5):
        api.post("/service/work-orders", json={"asset_id": w.asset.pk, "subject": f"T{n}"})
    with django_assert_max_num_queries(12):
        assert len(api.get("/service/work-orders").json()["items"]) == 5
    with django_assert_max_num_queries(12):
        assert len(api.get("/service/contracts").json()) == 1


def test_the_routes_are_in_the_openapi_schema():
    from panorama.config.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    for path in [
        "/api/v1/service/assets",
        "/api/v1/service/work-orders/{work_order_id}/signature",
        "/api/v1/service/stock/transfers",
        "/api/v1/service/contracts",
    ]:
        assert path in paths


def test_an_asset_is_changed_by_patch_with_the_same_rules(api_as, w):
    api = api_as(w.dispatcher)
    url = f"/api/v1/service/assets/{w.asset.pk}"
    done = api.patch(url, {"site": "Cocina", "install_date": "2024-03-02"})
    assert done.status_code == 200, done.content
    assert (done.json()["site"], done.json()["install_date"]) == ("Cocina", "2024-03-02")
    future = api.patch(url, {"install_date": "2999-01-01"})
    assert future.status_code == 422 and "install_date" in future.json()["errors"]
    assert api.patch(url, {"serial_number": ""}).status_code == 422
