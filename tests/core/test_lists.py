"""The shared list (core/lists.py) through the customer list: the state a URL carries,
keyset pages that never count, a bounded and cached total, columns that cost one query."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from panorama.accounts.models import Role
from panorama.core.lists import ListState, approximate_total
from panorama.customers.lists import CUSTOMERS, CustomerList
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_the_state_reads_what_it_knows_and_writes_a_canonical_url():
    state = CUSTOMERS.state_from(
        QueryDict("q=ana&status=active&kind=&sort=-name&cols=phone,nope,name&rows=5000&x=1")
    )
    assert state.search == "ana"
    assert state.filters == {"status": "active"}
    assert state.columns == ["phone", "name"]
    assert state.rows == CUSTOMERS.max_rows
    assert state.url(CUSTOMERS) == (
        "/customers/?q=ana&status=active&sort=-name&cols=phone%2Cname&rows=1000"
    )
    # Defaults are left out; an unknown sort falls back to the default.
    plain = CUSTOMERS.state_from(QueryDict("sort=bogus&cols=name,kind,status,owner,team"))
    assert plain.sort == "name"
    assert plain.url(CUSTOMERS) == "/customers/"


def test_load_more_never_counts_and_the_total_is_counted_once(signed_in):
    CustomerFactory.create_batch(60)
    with CaptureQueriesContext(connection) as first:
        response = signed_in.get("/customers/")
    assert sum("COUNT(" in q["sql"].upper() for q in first.captured_queries) == 1
    with CaptureQueriesContext(connection) as more:
        signed_in.get(response.context["list"].more_url, headers={"HX-Request": "true"})
    assert not any("COUNT(" in q["sql"].upper() for q in more.captured_queries)
    with CaptureQueriesContext(connection) as again:
        response = signed_in.get("/customers/")
    assert not any("COUNT(" in q["sql"].upper() for q in again.captured_queries)  # cached
    assert response.context["list"].total_text == "60 customers"


def test_a_list_that_fits_on_one_page_counts_nothing(signed_in):
    CustomerFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get("/customers/")
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert response.context["list"].total_text == "3 customers"


def test_beyond_the_cap_the_total_is_bounded(admin_user, monkeypatch):
    monkeypatch.setattr(CustomerList, "count_cap", 5)
    CustomerFactory.create_batch(8)
    total, how = approximate_total(CUSTOMERS, admin_user, ListState())
    if connection.vendor == "postgresql":
        assert how in {"estimate", "more"} and total >= 5
    else:
        assert (total, how) == (5, "more")


def test_more_columns_cost_one_query_each_whatever_the_rows(signed_in, django_assert_num_queries):
    for customer in CustomerFactory.create_batch(20):
        IdentityFactory(customer=customer, kind="phone", value=f"+346001{customer.pk:05}")
    signed_in.get("/customers/")  # the total is cached from here
    # Session, user, saved views (the tabs), teams (the filter menu), users and teams
    # (the bulk actions' choices), the page.
    with django_assert_num_queries(7):
        signed_in.get("/customers/")
    with django_assert_num_queries(8):  # + phone and e-mail together
        response = signed_in.get("/customers/?cols=name,phone,email")
    with django_assert_num_queries(9):  # + the city
        signed_in.get("/customers/?cols=name,phone,email,city")
    assert "600 1" in response.content.decode()


def test_the_export_takes_the_list_s_query(signed_in, agent):
    CustomerFactory(first_name="Mía", owner=agent)
    CustomerFactory(first_name="Otra")
    response = signed_in.get("/customers/?mine=on")
    export_url = response.context["list"].export_url
    assert export_url == "/customers/export.csv?mine=on"
    body = b"".join(signed_in.get(export_url).streaming_content).decode()
    assert "Mía" in body and "Otra" not in body
