import datetime

import pytest

from panorama.accounts.models import Role
from panorama.core.models import FieldChange
from panorama.customers.models import Customer, CustomFieldDefinition, Identity
from tests.factories import (
    AddressFactory,
    BillingIncidentFactory,
    ConsentFactory,
    CustomerFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ANA = {
    "first_name": "Ana",
    "last_name": "García López",
    "identities": [
        {"kind": "national_id", "value": "12345678z"},
        {"kind": "phone", "value": "600 11 22 33", "label": "mobile"},
        {"kind": "phone", "value": "+34 911 23 45 67", "label": "home"},
        {"kind": "email", "value": " Ana@Example.com "},
    ],
    "addresses": [{"line1": "Calle Mayor 1", "postal_code": "28013", "city": "Madrid"}],
}


def test_create_normalises_and_returns_the_customer(api):
    r = api.post("/customers", json=ANA)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["display_name"] == "Ana García López"
    values = set(Identity.objects.filter(customer_id=body["id"]).values_list("kind", "value"))
    assert values == {
        ("national_id", "12345678Z"),
        ("phone", "+34600112233"),
        ("phone", "+34911234567"),
        ("email", "ana@example.com"),
    }
    assert body["owner"]["username"] == "admin"


@pytest.mark.parametrize(
    "identities, field",
    [
        ([{"kind": "national_id", "value": "12345678A"}], "national_id"),
        ([{"kind": "phone", "value": "12"}], "phone"),
        ([{"kind": "email", "value": "ana@"}], "email"),
        ([{"kind": "shoe", "value": "42"}], "kind"),
    ],
)
def test_bad_identifiers_are_4xx_naming_the_field_and_write_nothing(api, identities, field):
    r = api.post("/customers", json={"first_name": "Ana", "identities": identities})
    assert r.status_code == 422
    assert field in r.json()["errors"]
    assert Customer.objects.count() == 0


def test_wrong_types_and_malformed_json_are_4xx(api):
    r = api.post("/customers", json={"first_name": "Ana", "birth_date": "yesterday"})
    assert r.status_code == 422 and "birth_date" in r.json()["detail"]
    r = api.client.post(
        "/api/v1/customers",
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert 400 <= r.status_code < 500
    assert api.post("/customers", json={"kind": "person"}).status_code == 422  # no name


def test_custom_fields_are_typed_validated_and_searchable(api):
    CustomFieldDefinition.objects.create(
        key="segment", label="Segment", type="choice", choices=["gold", "silver"], searchable=True
    )
    CustomFieldDefinition.objects.create(key="employees", label="Employees", type="integer")
    ok = api.post(
        "/customers",
        json={"first_name": "Ana", "custom_fields": {"segment": "gold", "employees": "12"}},
    )
    assert ok.status_code == 201 and ok.json()["custom_fields"] == {
        "segment": "gold",
        "employees": 12,
    }
    bad = api.post("/customers", json={"first_name": "Eva", "custom_fields": {"segment": "bronze"}})
    assert bad.status_code == 422 and "segment" in bad.json()["errors"]
    unknown = api.post("/customers", json={"first_name": "Eva", "custom_fields": {"shoe": "42"}})
    assert unknown.status_code == 422 and "shoe" in unknown.json()["detail"]
    api.post("/customers", json={"first_name": "Luis", "custom_fields": {"segment": "silver"}})
    found = api.get("/customers?custom=segment:gold").json()["items"]
    assert [c["display_name"] for c in found] == ["Ana"]
    assert api.get("/customers?custom=employees:12").status_code == 422  # not searchable


def test_update_keeps_field_history(api, admin_user):
    customer_id = api.post("/customers", json=ANA).json()["id"]
    r = api.patch(
        f"/customers/{customer_id}", json={"last_name": "García Pérez", "status": "inactive"}
    )
    assert r.status_code == 200 and r.json()["display_name"] == "Ana García Pérez"
    history = api.get(f"/customers/{customer_id}/history").json()
    changes = {(h["field"], h["old_value"], h["new_value"]) for h in history}
    assert ("last_name", "García López", "García Pérez") in changes
    assert ("status", "active", "inactive") in changes
    assert all(h["changed_by_id"] == admin_user.pk for h in history)
    assert api.patch(f"/customers/{customer_id}", json={"status": "sleeping"}).status_code == 422
    assert FieldChange.objects.filter(field="status").count() == 1


def test_identities_can_be_added_and_removed_with_history(api):
    customer_id = api.post("/customers", json=ANA).json()["id"]
    r = api.post(
        f"/customers/{customer_id}/identities",
        json={"kind": "loyalty_card", "value": "4000 1234 5678"},
    )
    assert r.status_code == 201 and r.json()["value"] == "400012345678"
    dup = api.post(
        f"/customers/{customer_id}/identities", json={"kind": "email", "value": "ANA@example.com"}
    )
    assert dup.status_code == 409
    pin = api.post(f"/customers/{customer_id}/identities", json={"kind": "pin", "value": "1234"})
    assert pin.status_code == 201 and pin.json()["value"] == "••••"
    assert "1234" not in Identity.objects.get(kind="pin").value
    r = api.delete(f"/customers/{customer_id}/identities/{r.json()['id']}")
    assert r.status_code == 204
    fields = [h["field"] for h in api.get(f"/customers/{customer_id}/history").json()]
    assert fields.count("identity:loyalty_card") == 2


def test_list_is_keyset_paginated_in_name_order(api, django_assert_max_num_queries):
    for name in ["Zoe", "Ana", "Ángel", "Bea", "Carlos"]:
        CustomerFactory(first_name=name, last_name="")
    first = api.get("/customers?limit=2").json()
    assert [c["display_name"] for c in first["items"]] == ["Ana", "Ángel"]
    second = api.get(f"/customers?limit=2&cursor={first['next_cursor']}").json()
    assert [c["display_name"] for c in second["items"]] == ["Bea", "Carlos"]
    third = api.get(f"/customers?limit=2&cursor={second['next_cursor']}").json()
    assert [c["display_name"] for c in third["items"]] == ["Zoe"] and third["next_cursor"] is None
    assert api.get("/customers?cursor=garbage").status_code == 422


def test_list_query_count_does_not_grow_with_rows(api, django_assert_max_num_queries):
    for _ in range(60):
        CustomerFactory(owner=UserFactory())
    with django_assert_max_num_queries(3):  # token + page (+ last_used write)
        r = api.get("/customers?limit=50")
    assert len(r.json()["items"]) == 50


def test_search_by_name_prefix_accent_insensitive_and_by_identifier(api):
    ana = CustomerFactory(first_name="Ana", last_name="Núñez")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233")
    CustomerFactory(first_name="Bea", last_name="Nadal")
    for q, expected in [
        ("nun", ["Ana Núñez"]),
        ("ANA", ["Ana Núñez"]),
        ("600 11 22 33", ["Ana Núñez"]),
        ("n", ["Ana Núñez", "Bea Nadal"]),
    ]:
        names = [c["display_name"] for c in api.get(f"/customers?search={q}").json()["items"]]
        assert sorted(names) == expected, q


def test_search_pages_through_every_match_once_in_name_order(api, django_assert_max_num_queries):
    # Matches by full name, by last name only, and by an identifier, interleaved in
    # name order: the pages must hold each once, in order, with a bounded query count.
    expected = []
    for n in range(7):
        expected.append(CustomerFactory(first_name=f"Garcés {n}", last_name="Ruiz"))
        expected.append(CustomerFactory(first_name=f"Luis {n}", last_name="Garcia"))
    CustomerFactory(first_name="Pedro", last_name="Ortega")  # matches nothing
    names = []
    cursor = ""
    api.get("/customers?limit=1")  # the token's last_used write, once
    for _page in range(10):
        # token, full-name and last-name branches, identifier branch ("garc" could be a
        # cookie id), the page
        with django_assert_max_num_queries(5):
            body = api.get(f"/customers?search=garc&limit=4&cursor={cursor}").json()
        names += [c["display_name"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert names == sorted(c.display_name for c in expected)
    assert len(names) == len(set(names)) == 14


def build_rich_customer(interactions: int):
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233")
    IdentityFactory(customer=ana, kind="national_id", value="12345678Z")
    AddressFactory(customer=ana)
    spouse = CustomerFactory(first_name="Luis")
    family = MembershipFactory(customer=ana, role="head").group
    MembershipFactory(group=family, customer=spouse, role="partner")
    HoldingFactory(customer=ana, conditions={"rate": "2.1%"})
    BillingIncidentFactory(customer=ana)
    ConsentFactory(
        customer=ana, granted=True, at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    ConsentFactory(
        customer=ana, granted=False, at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    InteractionFactory.create_batch(interactions, customer=ana)
    return ana, spouse


@pytest.mark.parametrize("interactions", [2, 200])
def test_360_is_complete_and_bounded(api, interactions, django_assert_max_num_queries):
    ana, spouse = build_rich_customer(interactions)
    api.get("/customers?limit=1")  # token's last_used write happens once, not per request
    # token, customer (with the panels' presence flags), its five owned lists (one
    # prefetch each), groups, the timeline, the segments, the loyalty programmes: the
    # panels with nothing to show cost no query (tests/customers/test_ficha_lists.py)
    with django_assert_max_num_queries(11):
        r = api.get(f"/customers/{ana.pk}/360")
    body = r.json()
    assert body["customer"]["display_name"] == "Ana García"
    assert {i["value"] for i in body["identities"]} == {"+34600112233", "12345678Z"}
    assert body["groups"][0]["role"] == "head"
    assert body["groups"][0]["members"][0]["customer_id"] == spouse.pk
    assert body["holdings"][0]["conditions"] == {"rate": "2.1%"}
    assert body["billing_incidents"][0]["status"] == "open"
    assert [c["granted"] for c in body["consents"]] == [False]  # the newest decision wins
    timeline = next(p for p in body["panels"] if p["key"] == "timeline")
    assert len(timeline["data"]) == min(interactions, 50)
    # The sections later apps fill are there, empty, in the order the ficha shows them.
    keys = [p["key"] for p in body["panels"]]
    assert keys == [
        "alerts",
        "segment_alerts",
        "timeline",
        "opportunities",
        "quotes",
        "cases",
        "assets",
        "segments",
        "loyalty",
        "scores",
    ]

    def empty(data):  # a list, or a panel's named lists (segments: segments and lists)
        if isinstance(data, dict):
            return not any(v for k, v in data.items() if k not in ("customer_id", "programmes"))
        return data == []

    # (The loyalty panel also offers the programmes he could join: none exists here.)
    assert all(empty(p["data"]) for p in body["panels"] if p["key"] != "timeline")


def test_record_level_access_for_reps_and_managers(client, api_as):
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    rep = UserFactory(role=Role.SALES_REP, teams=[north])
    other_rep = UserFactory(role=Role.SALES_REP, teams=[south])
    manager = UserFactory(role=Role.SALES_MANAGER, managed_teams=[south])
    mine = CustomerFactory(owner=rep)
    teams = CustomerFactory(team=north, owner=other_rep)
    theirs = CustomerFactory(team=south, owner=other_rep)
    as_rep = api_as(rep)
    ids = {c["id"] for c in as_rep.get("/customers").json()["items"]}
    assert ids == {mine.pk, teams.pk}
    assert as_rep.get(f"/customers/{theirs.pk}/360").status_code == 404
    assert as_rep.patch(f"/customers/{theirs.pk}", json={"notes": "x"}).status_code == 404
    manager_ids = {c["id"] for c in api_as(manager).get("/customers").json()["items"]}
    assert manager_ids == {theirs.pk}


def test_analysts_read_but_do_not_write(api_as):
    analyst = UserFactory(role=Role.ANALYST)
    customer = CustomerFactory()
    client = api_as(analyst)
    assert client.get(f"/customers/{customer.pk}/360").status_code == 200
    r = client.patch(f"/customers/{customer.pk}", json={"notes": "x"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_groups_holdings_incidents_and_consents_through_the_api(api):
    ana = api.post("/customers", json=ANA).json()["id"]
    luis = api.post("/customers", json={"first_name": "Luis", "last_name": "García"}).json()["id"]
    group = api.post("/groups", json={"name": "Familia García", "kind": "family"}).json()
    assert (
        api.post(
            f"/groups/{group['id']}/members", json={"customer_id": ana, "role": "head"}
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/groups/{group['id']}/members", json={"customer_id": luis, "role": "partner"}
        ).status_code
        == 201
    )
    assert api.post(f"/groups/{group['id']}/members", json={"customer_id": luis}).status_code == 409
    assert len(api.get(f"/groups/{group['id']}").json()["members"]) == 2
    r = api.post(
        f"/customers/{ana}/holdings",
        json={
            "product_code": "MORT",
            "product_name": "Hipoteca",
            "start_date": "2024-01-01",
            "end_date": "2023-01-01",
        },
    )
    assert r.status_code == 422 and "end_date" in r.json()["errors"]
    assert (
        api.post(
            f"/customers/{ana}/billing-incidents",
            json={"kind": "unpaid_invoice", "reference": "F-1", "amount": "99.90"},
        ).status_code
        == 201
    )
    api.post(
        f"/customers/{ana}/consents",
        json={"purpose": "marketing", "channel": "email", "granted": True},
    )
    api.post(
        f"/customers/{ana}/consents",
        json={"purpose": "marketing", "channel": "email", "granted": False},
    )
    assert len(api.get(f"/customers/{ana}/consents").json()) == 2
    assert (
        api.post(
            f"/customers/{ana}/consents", json={"purpose": "spam", "granted": True}
        ).status_code
        == 422
    )


def test_unauthenticated_and_revoked_tokens_get_401(client, api):
    assert client.get("/api/v1/customers").status_code == 401
    r = client.get("/api/v1/customers", headers={"Authorization": "Bearer pan_nope"})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    from panorama.accounts.models import ApiToken
    from panorama.accounts.services import api_token_revoke

    api_token_revoke(token=ApiToken.objects.get())
    assert api.get("/customers").status_code == 401


def test_openapi_and_docs_are_published_to_signed_in_users(client, admin_user):
    assert client.get("/api/v1/openapi.json").status_code == 302
    client.force_login(admin_user)
    assert client.get("/api/v1/docs").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert (
        "/api/v1/identify" in spec["paths"]
        and "/api/v1/customers/{customer_id}/360" in spec["paths"]
    )


def test_numbers_beyond_what_the_database_stores_are_never_a_server_error(api):
    # Found by schemathesis: SQLite cannot bind an integer of 36 digits (OverflowError).
    r = api.get("/customers?owner_id=278834452385308113008366982896025600")
    if r.status_code == 422:  # SQLite
        assert r.json()["detail"] == "A value is out of range or too long."
    else:  # PostgreSQL compares it as a numeric: nobody owns that many customers
        assert r.status_code == 200 and r.json()["items"] == []
    for path in ["/customers/99999999999999999999999999", "/customers/9999999999999999999/360"]:
        r = api.get(path)
        assert r.status_code in (404, 422) and r.json()["detail"]


def test_assigning_an_unknown_team_or_manager_is_refused(api):
    customer = CustomerFactory()
    before = (customer.team_id, customer.owner_id)
    r = api.patch(f"/customers/{customer.pk}", json={"team_id": 987654})
    assert r.status_code == 422 and r.json()["errors"] == {"team_id": ["Unknown team."]}
    r = api.patch(f"/customers/{customer.pk}", json={"owner_id": 987654})
    assert r.status_code == 422 and "owner_id" in r.json()["errors"]
    customer.refresh_from_db()
    assert (customer.team_id, customer.owner_id) == before


@pytest.mark.parametrize("body", ['"AAA"', "[1, 2]", "null", "0"])
def test_a_body_that_is_not_a_json_object_is_refused(api, body):
    customer = CustomerFactory(notes="kept")
    r = api.client.patch(
        f"/api/v1/customers/{customer.pk}",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert r.status_code == 400
    assert r.json()["detail"] == "The request body must be a JSON object."
    customer.refresh_from_db()
    assert customer.notes == "kept"
