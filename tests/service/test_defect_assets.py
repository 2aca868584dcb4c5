"""Defects ↔ installed base: a defect names the assets it affects (of its product, that
the user sees), through the service, the defect page, the asset page and the API."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from panorama.service.selectors.defects import defect_assets
from panorama.service.services.asset import asset_register
from panorama.service.services.defect import (
    DefectData,
    defect_link_asset,
    defect_report,
    defect_unlink_asset,
)

from ..factories import CustomerFactory, UserFactory
from .field_world import field_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = field_world()
    w.defect = defect_report(by=None, data=DefectData(w.boiler.pk, "Fuga en la válvula"))
    return w


def test_an_asset_of_the_product_is_linked_once_and_unlinked(world):
    defect = defect_link_asset(
        by=world.dispatcher, defect_id=world.defect.pk, asset_id=world.asset.pk
    )
    defect_link_asset(by=world.dispatcher, defect_id=defect.pk, serial_number=" sn-0001 ")
    assert list(defect.assets.all()) == [world.asset]
    assert list(world.asset.defects.all()) == [defect]
    defect_unlink_asset(by=world.dispatcher, defect_id=defect.pk, asset_id=world.asset.pk)
    assert not defect.assets.exists()


def test_bad_links_are_refused_clearly(world):
    with pytest.raises(ValidationFailed, match="Q-77 is a Quemador, not a Caldera Eco 24"):
        defect_link_asset(by=None, defect_id=world.defect.pk, asset_id=world.component.pk)
    with pytest.raises(ValidationFailed, match="No asset of Caldera Eco 24 with serial number X"):
        defect_link_asset(by=None, defect_id=world.defect.pk, serial_number="X")
    with pytest.raises(NotFound):
        defect_link_asset(by=None, defect_id=world.defect.pk, asset_id=999999)
    analyst = UserFactory(role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        defect_link_asset(by=analyst, defect_id=world.defect.pk, asset_id=world.asset.pk)
    assert not world.defect.assets.exists()


def test_a_rep_links_and_sees_only_the_assets_of_his_customers(world):
    rep = UserFactory(username="rep", role=Role.SALES_REP)
    mine = CustomerFactory(owner=rep)
    my_boiler = asset_register(
        by=rep, customer_id=mine.pk, product_id=world.boiler.pk, serial_number="SN-REP"
    )
    with pytest.raises(NotFound):  # Lucía's boiler is not his to see
        defect_link_asset(by=rep, defect_id=world.defect.pk, asset_id=world.asset.pk)
    with pytest.raises(ValidationFailed):  # nor to find by its serial number
        defect_link_asset(by=rep, defect_id=world.defect.pk, serial_number="SN-0001")
    defect_link_asset(by=rep, defect_id=world.defect.pk, asset_id=my_boiler.pk)
    defect_link_asset(by=None, defect_id=world.defect.pk, asset_id=world.asset.pk)
    assert defect_assets(user=rep, defect=world.defect) == ([my_boiler], 1)
    assert defect_assets(user=world.dispatcher, defect=world.defect)[1] == 0


def test_the_defect_page_and_the_asset_page_link_them(world, client):
    client.force_login(world.dispatcher)
    url = f"/service/defects/{world.defect.pk}/"
    bad = client.post(f"{url}assets/", {"serial_number": "Q-77"})
    assert bad.status_code == 422 and "No asset of Caldera Eco 24" in bad.content.decode()
    response = client.post(f"{url}assets/", {"serial_number": "SN-0001"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="defect-asset-list"' in page and "SN-0001" in page and "Lucía" in page
    asset_page = client.get(f"/service/assets/{world.asset.pk}/").content.decode()
    assert 'id="asset-defect-list"' in asset_page and world.defect.reference in asset_page
    assert 'id="asset-defect-form"' not in asset_page  # nothing left to link

    other = defect_report(by=None, data=DefectData(world.boiler.pk, "Ruido al arrancar"))
    asset_page = client.get(f"/service/assets/{world.asset.pk}/").content.decode()
    assert 'id="asset-defect-form"' in asset_page and other.reference in asset_page
    client.post(f"/service/assets/{world.asset.pk}/defects/", {"defect": other.pk})
    assert set(world.asset.defects.all()) == {world.defect, other}
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Equipos afectados" in spanish

    client.post(f"{url}assets/{world.asset.pk}/unlink/")
    assert list(world.asset.defects.all()) == [other]


def test_the_api_links_and_lists_the_affected_assets(world, api_as):
    api = api_as(world.dispatcher)
    path = f"/defects/{world.defect.pk}/assets"
    answer = api.post(path, json={"asset_id": world.asset.pk})
    assert answer.status_code == 200 and answer.json()["asset_ids"] == [world.asset.pk]
    wrong = api.post(path, json={"asset_id": world.component.pk})
    assert wrong.status_code == 422 and "asset" in wrong.json()["errors"]
    assert api.post(path, json={"asset_id": 999999}).status_code == 404
    detail = api.get(f"/defects/{world.defect.pk}").json()
    assert detail["asset_ids"] == [world.asset.pk] and detail["hidden_assets"] == 0
    assert api.delete(f"{path}/{world.asset.pk}").json()["asset_ids"] == []
