import pytest

from panorama.accounts.models import Role
from panorama.customers.models import Identity
from panorama.customers.selectors import identify
from tests.factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233")
    IdentityFactory(customer=ana, kind="national_id", value="12345678Z")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    IdentityFactory(customer=ana, kind="loyalty_card", value="4000123412341234")
    IdentityFactory(customer=ana, kind="cookie", value="ck_9f8e7d")
    return ana


@pytest.mark.parametrize(
    "typed",
    [
        "+34 600 11 22 33",
        "600112233",
        "600 11 22 33",
        "12345678Z",
        "12345678z",
        "Ana@Example.com ",
        "4000 1234 1234 1234",
        "ck_9f8e7d",
    ],
)
def test_any_usual_format_finds_the_customer(admin_user, ana, typed, django_assert_num_queries):
    with django_assert_num_queries(1):
        matches = identify(user=admin_user, value=typed)
    assert [m.customer for m in matches] == [ana]


def test_a_shared_phone_is_answered_as_ambiguous(api, ana):
    husband = CustomerFactory(first_name="Luis", last_name="García")
    IdentityFactory(customer=husband, kind="phone", value="+34600112233")
    body = api.get("/identify?value=600112233").json()
    assert body["status"] == "ambiguous"
    assert {m["customer"]["id"] for m in body["matches"]} == {ana.pk, husband.pk}


def test_unknown_identifier_is_not_found(api, ana):
    assert api.get("/identify?value=699999999").json() == {"status": "not_found", "matches": []}


def test_type_restricts_the_lookup_and_validates(api, ana):
    assert api.get("/identify?value=600112233&type=loyalty_card").json()["status"] == "not_found"
    r = api.get("/identify?value=12345678A&type=national_id")
    assert r.status_code == 422
    assert r.json()["errors"] == {"national_id": [r.json()["detail"]]}
    assert api.get("/identify?value=x&type=shoe_size").status_code == 422


def test_pin_is_never_an_identifier(api, ana):
    Identity.objects.create(customer=ana, kind="pin", value="pbkdf2$whatever")
    assert api.get("/identify?value=1234").json()["status"] == "not_found"


def test_merged_customers_are_not_identified(admin_user, ana):
    other = CustomerFactory()
    ana.merged_into = other
    ana.save()
    assert identify(user=admin_user, value="600112233") == []


def test_a_rep_only_identifies_customers_he_may_see(ana):
    team = TeamFactory(name="Norte")
    stranger = UserFactory(role=Role.SALES_REP, teams=[team])
    assert identify(user=stranger, value="600112233") == []
    ana.team = team
    ana.save()
    assert [m.customer for m in identify(user=stranger, value="600112233")] == [ana]


def test_identify_answers_every_match_in_full_with_a_fixed_number_of_queries(api, ana):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.get("/identify?value=699999999")  # the client's first request signs it in
    with CaptureQueriesContext(connection) as one:
        alone = api.get("/identify?value=600112233").json()
    family = [CustomerFactory(first_name=f"Hijo {n}", last_name="García") for n in range(3)]
    for member in family:
        IdentityFactory(customer=member, kind="phone", value="+34600112233")
    with CaptureQueriesContext(connection) as four:
        shared = api.get("/identify?value=600112233").json()

    assert len(four) == len(one)  # the matches' fields come with them, not one by one
    assert alone["matches"][0]["customer"]["display_name"] == "Ana García"
    assert sorted(m["customer"]["display_name"] for m in shared["matches"]) == [
        "Ana García",
        "Hijo 0 García",
        "Hijo 1 García",
        "Hijo 2 García",
    ]
    first = shared["matches"][0]["customer"]
    assert (first["kind"], first["status"], first["owner_id"]) == (
        ana.kind,
        ana.status,
        ana.owner_id,
    )
