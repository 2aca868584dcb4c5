"""The programmes list's export and edits in place: the export holds exactly the rows
the list shows with its filters, the name and the status are saved through
``programme_save`` (a name another programme has is refused with its message, nothing
saved), and who may not manage loyalty gets 403."""

import pytest

from panorama.loyalty.models import Programme
from panorama.loyalty.services.programmes import programme_save

from ..lists import cell_post, export_csv, export_queries, export_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def programmes(db):
    return (
        programme_save(by=None, name="Club Panorama", expiry_months=24),
        programme_save(by=None, name="Millas", expiry_months=0),
        programme_save(by=None, name="Club antiguo", active=False),
    )


def test_the_export_holds_the_filtered_rows_as_shown(client, rep, programmes):
    client.force_login(rep)
    rows = export_csv(client, "loyalty_programmes", "active=on&cols=name,expiry,active")
    assert rows == [
        ["Name", "Expiry", "Status"],
        ["Club Panorama", "24 months", "Active"],
        ["Millas", "Never", "Active"],
    ]
    book = export_xlsx(client, "loyalty_programmes", "active=off&cols=name,active")
    assert book == [["Name", "Status"], ["Club antiguo", "Inactive"]]


def test_the_export_costs_the_same_queries_for_one_row_or_many(client, rep):
    programme_save(by=None, name="Uno")
    client.force_login(rep)
    one = export_queries(client, "loyalty_programmes")
    for n in range(10):
        programme_save(by=None, name=f"Club {n}")
    assert export_queries(client, "loyalty_programmes") == one


def test_a_marketer_renames_and_deactivates_in_place(client, marketer, programmes, emitted):
    club = programmes[0]
    client.force_login(marketer)
    with emitted() as events:
        renamed = cell_post(client, "loyalty_programmes", club.pk, "name", "Club Oro")
        assert renamed.status_code == 200 and "Club Oro" in renamed.content.decode()
        assert cell_post(client, "loyalty_programmes", club.pk, "active", "off").status_code == 200
    club.refresh_from_db()
    assert (club.name, club.active, club.expiry_months) == ("Club Oro", False, 24)
    assert [n for n, _p in events] == ["loyalty.programme_saved"] * 2


def test_a_refused_name_shows_the_service_s_message_and_saves_nothing(client, marketer, programmes):
    club = programmes[0]
    client.force_login(marketer)
    refused = cell_post(client, "loyalty_programmes", club.pk, "name", "Millas")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'role="alert"' in html and "There is already a programme called Millas." in html
    assert Programme.objects.get(pk=club.pk).name == "Club Panorama"


def test_who_may_not_manage_loyalty_gets_403_and_no_change(client, rep, programmes):
    club = programmes[0]
    client.force_login(rep)
    page = client.get("/loyalty/")
    assert [a["key"] for a in page.context["list"].bulk.actions] == ["export_csv", "export_xlsx"]
    assert cell_post(client, "loyalty_programmes", club.pk, "active", "off").status_code == 403
    assert Programme.objects.get(pk=club.pk).active is True
