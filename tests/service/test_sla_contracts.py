"""A service contract's SLA policy: when the case's asset or product is covered by an
active contract in force with a policy, that policy wins over the queue / priority /
segment ones, and the case page says which contract it came from."""

import datetime

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Case, ServiceContract, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.asset import asset_register, contract_create
from panorama.service.services.case import case_open

from ..factories import CustomerFactory, QueueFactory, UserFactory
from .field_world import field_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = field_world()
    calendar = sla.calendar_save(by=None, name="Madrid", subdivision="MD")
    w.queue = QueueFactory(name="Hogar")
    w.general = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Hogar normal",
            calendar=calendar,
            queue=w.queue,
            first_response_minutes=480,
            resolution_minutes=2400,
        ),
    )
    w.gold = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Oro 2 h",
            calendar=calendar,
            queue=QueueFactory(name="VIP"),  # its own criteria do not matter for a contract
            first_response_minutes=120,
            resolution_minutes=480,
        ),
    )
    w.agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    return w


def _open(w, **kw) -> Case:
    return case_open(
        by=w.agent, customer_id=w.customer.pk, subject="No calienta", queue_id=w.queue.pk, **kw
    )


def test_the_contract_covering_the_asset_gives_its_policy_over_the_queue_one(world):
    ServiceContract.objects.filter(pk=world.contract.pk).update(sla_policy=world.gold)
    covered = _open(world, asset_id=world.asset.pk)
    assert covered.sla_policy == world.gold
    assert covered.resolution_due is not None
    # Without an asset or product, or with an asset the contract does not list: the queue's.
    assert _open(world).sla_policy == world.general
    assert _open(world, asset_id=world.component.pk).sla_policy == world.general


def test_a_contract_covering_the_product_applies_and_only_while_in_force(world):
    today = datetime.date.today()
    other = asset_register(
        by=None, customer_id=world.customer.pk, product_id=world.boiler.pk, serial_number="SN-2"
    )
    by_product = contract_create(
        by=None,
        customer_id=world.customer.pk,
        name="Garantía calderas",
        kind=ServiceContract.Kind.WARRANTY,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
        product_ids=[world.boiler.pk],
        sla_policy_id=world.gold.pk,
    )
    assert _open(world, asset_id=other.pk).sla_policy == world.gold
    assert _open(world, product_id=world.boiler.pk).sla_policy == world.gold

    # Expired, cancelled, or its policy switched off: the ordinary rules again.
    ServiceContract.objects.filter(pk=by_product.pk).update(ends_on=today - datetime.timedelta(1))
    assert _open(world, asset_id=other.pk).sla_policy == world.general
    ServiceContract.objects.filter(pk=by_product.pk).update(
        ends_on=today + datetime.timedelta(days=10), status="cancelled"
    )
    assert _open(world, asset_id=other.pk).sla_policy == world.general
    ServiceContract.objects.filter(pk=by_product.pk).update(status="active")
    SlaPolicy.objects.filter(pk=world.gold.pk).update(active=False)
    assert _open(world, asset_id=other.pk).sla_policy == world.general


def test_another_customers_contract_on_the_same_product_does_not_apply(world):
    stranger = CustomerFactory()
    today = datetime.date.today()
    contract_create(
        by=None,
        customer_id=stranger.pk,
        name="Oro de otro",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        product_ids=[world.boiler.pk],
        sla_policy_id=world.gold.pk,
    )
    assert _open(world, product_id=world.boiler.pk).sla_policy == world.general


def test_a_contract_wins_over_a_warranty_both_covering_the_asset(world):
    today = datetime.date.today()
    silver = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Plata",
            calendar=world.gold.calendar,
            queue=QueueFactory(name="Plata"),
            first_response_minutes=240,
            resolution_minutes=960,
        ),
    )
    contract_create(
        by=None,
        customer_id=world.customer.pk,
        name="Garantía",
        kind=ServiceContract.Kind.WARRANTY,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=900),
        asset_ids=[world.asset.pk],
        sla_policy_id=silver.pk,
    )
    ServiceContract.objects.filter(pk=world.contract.pk).update(sla_policy=world.gold)
    assert _open(world, asset_id=world.asset.pk).sla_policy == world.gold


def test_the_case_page_and_the_api_show_the_contracts_policy(world, client, api_as):
    ServiceContract.objects.filter(pk=world.contract.pk).update(sla_policy=world.gold)
    case = _open(world, asset_id=world.asset.pk)
    client.force_login(world.agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "Oro 2 h" in page and 'id="case-sla-contract"' in page
    assert world.contract.reference in page and "Mantenimiento Oro" in page
    assert f"/service/contracts/{world.contract.pk}/" in page
    spanish = client.get(f"/service/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Del contrato" in spanish.content.decode()
    plain = _open(world)
    assert (
        'id="case-sla-contract"' not in client.get(f"/service/cases/{plain.pk}/").content.decode()
    )
    answer = api_as(world.agent).get(f"/cases/{case.pk}")
    assert answer.json()["sla_policy_id"] == world.gold.pk
