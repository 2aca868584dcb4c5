"""The customer list's *Last contact* column (added by channels): the day of the newest
interaction, in the reader's language, from the page's own query, in the user's scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.customers.lists import CUSTOMERS
from tests.factories import CustomerFactory, InteractionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def _cells(response):
    """{customer name: last contact cell} of the drawn rows."""
    rows = response.context["list"].rows
    return {row.label: str(row.cells[-1].value) for row in rows}


def test_the_last_contact_column_shows_the_newest_interaction_s_day(client, admin_user):
    ana = CustomerFactory(first_name="Ana", last_name="Sola")
    InteractionFactory(customer=ana, occurred_at=_at(2026, 3, 5))
    InteractionFactory(customer=ana, occurred_at=_at(2026, 5, 20))
    InteractionFactory(customer=ana, occurred_at=_at(2026, 4, 1))
    CustomerFactory(first_name="Bea", last_name="Nunca")
    client.force_login(admin_user)

    menu = client.get("/customers/").content.decode()
    assert "Last contact" in menu  # offered in Columns, not shown by default
    assert "May 20, 2026" not in menu

    response = client.get("/customers/?cols=name,last_contact")
    page = response.content.decode()
    assert 'data-label="Last contact"' in page
    assert _cells(response) == {"Ana Sola": "2026-05-20", "Bea Nunca": "—"}
    assert "May 20, 2026" in page

    spanish = client.get("/customers/?cols=name,last_contact", HTTP_ACCEPT_LANGUAGE="es")
    assert "20 de mayo de 2026" in spanish.content.decode()
    assert "Último contacto" in spanish.content.decode()


def test_the_last_contact_column_adds_no_query_to_the_list(client, admin_user):
    for customer in CustomerFactory.create_batch(20):
        InteractionFactory.create_batch(2, customer=customer)
    client.force_login(admin_user)
    client.get("/customers/")  # the total is cached from here

    def queries(url):
        with CaptureQueriesContext(connection) as done:
            response = client.get(url)
        return len(done.captured_queries), response

    without, _ = queries("/customers/?cols=name,status")
    with_it, response = queries("/customers/?cols=name,status,last_contact")
    assert with_it == without  # a subquery of the page's own query
    assert len(_cells(response)) == 20
    assert all(cell != "—" for cell in _cells(response).values())
    # A search pages by itself (one query per way of matching): still none more.
    assert (
        queries("/customers/?q=zz&cols=name,status,last_contact")[0]
        == (queries("/customers/?q=zz&cols=name,status")[0])
    )


def test_the_last_contact_column_keeps_the_list_s_scope(client, rep, team):
    mine = CustomerFactory(first_name="Mía", last_name="Propia", owner=rep, team=team)
    other_team = TeamFactory(name="Sevilla")
    theirs = CustomerFactory(first_name="Otra", last_name="Ajena", team=other_team)
    InteractionFactory(customer=mine, occurred_at=_at(2026, 6, 1))
    InteractionFactory(customer=theirs, occurred_at=_at(2026, 7, 1))
    client.force_login(rep)

    response = client.get("/customers/?cols=name,last_contact")
    assert _cells(response) == {"Mía Propia": "2026-06-01"}
    assert "Jul 1, 2026" not in response.content.decode()
    searched = client.get("/customers/?q=otra&cols=name,last_contact")
    assert _cells(searched) == {}


def test_the_last_contact_column_is_not_sortable():
    column = next(c for c in CUSTOMERS.columns if c.key == "last_contact")
    assert column.sort == ""  # ordering by a subquery walks no index
