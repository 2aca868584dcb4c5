"""The loyalty programmes on the shared list (core/lists): every signed-in user reads
them (as before), the filters are chips kept in the URL, and who may manage loyalty
activates or deactivates them in bulk through ``programme_save`` (its refusals reported
row by row)."""

import pytest
from django.urls import reverse

from panorama.loyalty.models import Programme
from panorama.loyalty.services.programmes import programme_save

from ..lists import list_bulk

pytestmark = pytest.mark.django_db


def _bulk(client, **data):
    return list_bulk(client, "loyalty_programmes", **data)


@pytest.fixture
def programmes(db):
    return (
        programme_save(by=None, name="Club Panorama", expiry_months=24),
        programme_save(by=None, name="Millas", expiry_months=0),
        programme_save(by=None, name="Club antiguo", active=False),
    )


def test_a_rep_reads_the_programmes_and_a_chip_narrows_them_in_the_url(client, rep, programmes):
    client.force_login(rep)
    page = client.get(reverse("loyalty:programme_list")).content.decode()
    assert 'id="loyalty_programmes-list"' in page
    assert "Club Panorama" in page and "Millas" in page and "Club antiguo" in page
    assert "24 months" in page and "Never" in page
    assert "Activate or deactivate" not in page and "New programme" not in page
    part = client.get(
        "/loyalty/?active=on",
        headers={"HX-Request": "true", "HX-Target": "loyalty_programmes-list"},
    )
    assert part.headers["HX-Push-Url"] == "/loyalty/?active=on"
    html = part.content.decode()
    assert "Club Panorama" in html and "Club antiguo" not in html
    html = client.get("/loyalty/?expiry=never").content.decode()
    assert "Millas" in html and "Club Panorama" not in html
    html = client.get("/loyalty/?q=club&active=off").content.decode()
    assert "Club antiguo" in html and "Club Panorama" not in html and "Millas" not in html


def test_a_marketer_deactivates_in_bulk_through_the_service_and_sees_refusals(
    client, marketer, programmes, emitted
):
    club, millas, _old = programmes
    # Saved around the service with a currency the service refuses: reported, not saved.
    broken = programme_save(by=None, name="Puntos raros")
    Programme.objects.filter(pk=broken.pk).update(currency="eu")
    client.force_login(marketer)
    assert "Activate or deactivate" in client.get("/loyalty/").content.decode()
    with emitted() as events:
        response = _bulk(
            client, action="active", **{"value-active": "off"}, ids=[club.pk, millas.pk, broken.pk]
        )
    report = response.context["list"].report
    assert report.done == 2
    assert report.refused == [("Puntos raros", "A currency is a three-letter code (EUR).")]
    assert set(Programme.objects.filter(active=True).values_list("name", flat=True)) == {
        "Puntos raros"
    }
    saved = [p["programme_id"] for n, p in events if n == "loyalty.programme_saved"]
    assert sorted(saved) == sorted([club.pk, millas.pk])
    club.refresh_from_db()
    assert club.expiry_months == 24 and club.name == "Club Panorama"  # nothing else changed


def test_a_rep_cannot_run_the_bulk_action(client, rep, programmes):
    client.force_login(rep)
    response = _bulk(client, action="active", **{"value-active": "off"}, ids=[programmes[0].pk])
    assert response.context["list"].bulk_error == "Choose an action."
    assert Programme.objects.get(pk=programmes[0].pk).active is True
