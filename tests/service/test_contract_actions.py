"""A service contract renewed (the next period, same terms), extended (a later end) and
cancelled (from a day, with a reason: no coverage nor SLA policy from then): through
the services, the API (403, 404, 409, 422) and the contract page."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.service.models import ServiceContract, SlaPolicy
from panorama.service.selectors.field import asset_coverage, contracts_ending
from panorama.service.services import sla
from panorama.service.services.case import case_open
from panorama.service.services.contract import (
    contract_cancel,
    contract_extend,
    contract_renew,
    renewal_period,
)

from ..factories import QueueFactory, UserFactory
from .field_world import field_world

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def w():
    return field_world()


def _timeline(w) -> list[str]:
    return list(
        Interaction.objects.filter(customer=w.customer, metadata__kind="contract")
        .order_by("id")
        .values_list("subject", flat=True)
    )


def test_renewal_is_a_new_contract_for_the_next_period_with_the_same_terms(w, emitted):
    w.contract.visits_used = 2
    w.contract.save()
    with emitted() as events:
        new = contract_renew(by=w.dispatcher, contract_id=w.contract.pk)
    old = w.contract
    assert new.pk != old.pk and new.renewed_from == old
    assert new.starts_on == old.ends_on + DAY
    assert new.ends_on - new.starts_on == old.ends_on - old.starts_on
    assert new.name == old.name and new.owner == w.dispatcher
    assert list(new.assets.all()) == [w.asset]
    assert (new.visits_included, new.visits_used) == (2, 0)  # fresh entitlements
    # The day after the old one ends, the renewal covers the boiler.
    assert asset_coverage(w.asset, on=new.starts_on).contract == new
    assert [p["contract_id"] for n, p in events if n == "contract.renewed"] == [new.pk]
    assert f"Contract {old.reference} renewed as {new.reference}" in _timeline(w)
    # Renewed once: a second renewal is a conflict, and no renewal alert for the old one.
    with pytest.raises(Conflict):
        contract_renew(by=w.dispatcher, contract_id=old.pk)
    assert old not in contracts_ending(today=old.ends_on - DAY)


def test_a_period_of_whole_months_renews_as_whole_months(w):
    w.contract.starts_on, w.contract.ends_on = (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert renewal_period(w.contract) == (datetime.date(2028, 1, 1), datetime.date(2028, 12, 31))
    w.contract.starts_on, w.contract.ends_on = (
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 27),
    )
    assert renewal_period(w.contract) == (datetime.date(2027, 2, 28), datetime.date(2027, 3, 27))


def test_a_renewal_cannot_end_before_it_starts(w):
    with pytest.raises(ValidationFailed) as refused:
        contract_renew(by=w.dispatcher, contract_id=w.contract.pk, ends_on=w.contract.ends_on)
    assert refused.value.field == "ends_on"
    assert not ServiceContract.objects.filter(renewed_from=w.contract).exists()


def test_extension_moves_the_end_later_and_alerts_again(w, emitted):
    old_end = w.contract.ends_on
    w.contract.renewal_alerted_at = timezone.now()
    w.contract.save()
    with emitted() as events:
        contract_extend(by=w.dispatcher, contract_id=w.contract.pk, ends_on=old_end + 30 * DAY)
    w.contract.refresh_from_db()
    assert w.contract.ends_on == old_end + 30 * DAY and w.contract.renewal_alerted_at is None
    assert asset_coverage(w.asset, on=old_end + 10 * DAY).covered
    assert [n for n, _ in events if n.startswith("contract.")] == ["contract.extended"]
    assert len(_timeline(w)) == 1
    with pytest.raises(ValidationFailed) as refused:
        contract_extend(by=w.dispatcher, contract_id=w.contract.pk, ends_on=old_end)
    assert refused.value.field == "ends_on"


def test_cancelled_contract_covers_nothing_from_its_date_and_cannot_change(w, emitted):
    today = timezone.localdate()
    with emitted() as events:
        contract_cancel(
            by=w.dispatcher, contract_id=w.contract.pk, on=today + 5 * DAY, reason="Impago"
        )
    w.contract.refresh_from_db()
    assert w.contract.status == ServiceContract.Status.CANCELLED
    assert asset_coverage(w.asset, on=today + 4 * DAY).covered
    assert not asset_coverage(w.asset, on=today + 5 * DAY).covered
    assert [p["reason"] for n, p in events if n == "contract.cancelled"] == ["Impago"]
    assert any("cancelled from" in s for s in _timeline(w))
    for change in (
        lambda: contract_renew(by=w.dispatcher, contract_id=w.contract.pk),
        lambda: contract_extend(
            by=w.dispatcher, contract_id=w.contract.pk, ends_on=w.contract.ends_on + DAY
        ),
        lambda: contract_cancel(by=w.dispatcher, contract_id=w.contract.pk, on=today, reason="x"),
    ):
        with pytest.raises(Conflict):
            change()


def test_cancellation_needs_a_reason_and_a_day_of_its_period(w):
    c = w.contract
    for on, reason, field in [
        (c.starts_on - DAY, "Impago", "on"),
        (c.ends_on + DAY, "Impago", "on"),
        (c.starts_on, "  ", "reason"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            contract_cancel(by=w.dispatcher, contract_id=c.pk, on=on, reason=reason)
        assert refused.value.field == field
    c.refresh_from_db()
    assert c.status == ServiceContract.Status.ACTIVE


def test_cases_opened_from_the_cancellation_lose_the_contract_policy(w, emitted):
    calendar = sla.calendar_save(by=None, name="Madrid", subdivision="MD")
    queue = QueueFactory(name="Hogar")
    general = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Hogar",
            calendar=calendar,
            queue=queue,
            first_response_minutes=480,
            resolution_minutes=2400,
        ),
    )
    gold = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Oro",
            calendar=calendar,
            queue=QueueFactory(name="VIP"),
            first_response_minutes=120,
            resolution_minutes=480,
        ),
    )
    ServiceContract.objects.filter(pk=w.contract.pk).update(sla_policy=gold)
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    case = case_open(
        by=agent,
        customer_id=w.customer.pk,
        subject="Fuga",
        queue_id=queue.pk,
        asset_id=w.asset.pk,
    )
    assert case.sla_policy == gold
    with emitted() as events:
        contract_cancel(
            by=w.dispatcher, contract_id=w.contract.pk, on=timezone.localdate(), reason="Baja"
        )
    case.refresh_from_db()
    assert case.sla_policy == general
    # The case says why its due times moved, as after an extension or a renewal.
    note = case.messages.get(kind="note", body__contains="recounted")
    assert note.body.splitlines()[0] == (
        f"Service level Oro → Hogar: due times recounted (contract {w.contract.reference} "
        f"cancelled from {timezone.localdate().strftime('%m/%d/%Y')})."
    )
    assert [p["cases_retargeted"] for n, p in events if n == "contract.cancelled"] == [1]
    [recounted] = [p for n, p in events if n == "sla.cases_recounted"]
    assert recounted["cases"] == [
        {"case_id": case.pk, "policy_id": general.pk, "message_id": note.pk}
    ]
    later = case_open(
        by=agent,
        customer_id=w.customer.pk,
        subject="Otra",
        queue_id=queue.pk,
        asset_id=w.asset.pk,
    )
    assert later.sla_policy == general


def test_only_who_may_manage_contracts_changes_them(w):
    reader = UserFactory(username="ro", role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        contract_extend(by=reader, contract_id=w.contract.pk, ends_on=w.contract.ends_on + DAY)


# --- API ---------------------------------------------------------------------------------


def test_api_renew_extend_cancel_and_their_errors(api_as, w):
    api = api_as(w.dispatcher)
    url = f"/service/contracts/{w.contract.pk}"
    later = (w.contract.ends_on + 30 * DAY).isoformat()
    extended = api.post(f"{url}/extend", json={"ends_on": later})
    assert extended.status_code == 200 and extended.json()["ends_on"] == later
    assert api.post(f"{url}/extend", json={"ends_on": later}).status_code == 422
    assert api.post(f"{url}/extend", json={"ends_on": "not a date"}).status_code == 422
    bad = api.post(f"{url}/cancel", json={"on": "2000-01-01", "reason": "Baja"})
    assert bad.status_code == 422 and bad.json()["detail"]
    renewed = api.post(f"{url}/renew", json={})
    assert renewed.status_code == 201 and renewed.json()["renewed_from_id"] == w.contract.pk
    today = timezone.localdate().isoformat()
    cancelled = api.post(f"{url}/cancel", json={"on": today, "reason": "Baja"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_on"] == today
    assert api.post(f"{url}/extend", json={"ends_on": later}).status_code == 409
    assert api.post(f"{url}/cancel", json={"on": today, "reason": "Otra"}).status_code == 409


def test_api_refuses_a_reader_and_hides_what_he_cannot_see(api_as, w):
    reader = UserFactory(username="ro", role=Role.ANALYST)
    answer = api_as(reader).post(f"/service/contracts/{w.contract.pk}/renew", json={})
    assert answer.status_code == 403
    assert not ServiceContract.objects.filter(renewed_from=w.contract).exists()
    assert api_as(w.dispatcher).post("/service/contracts/999999/renew", json={}).status_code == 404


# --- the page ----------------------------------------------------------------------------


def test_contract_page_renews_extends_and_cancels(client, w):
    client.force_login(w.dispatcher)
    page = f"/service/contracts/{w.contract.pk}/"
    html = client.get(page).content.decode()
    assert 'id="contract-renew"' in html and 'id="contract-cancel"' in html
    refused = client.post(f"{page}extend/", {"extend-ends_on": w.contract.ends_on.isoformat()})
    assert refused.status_code == 422 and "give a later date" in refused.content.decode()
    answer = client.post(f"{page}renew/", {"renew-ends_on": ""})
    renewal = ServiceContract.objects.get(renewed_from=w.contract)
    assert answer.status_code == 302 and answer.url == f"/service/contracts/{renewal.pk}/"
    assert "Renewed as" in client.get(page).content.decode()
    answer = client.post(
        f"{page}cancel/",
        {"cancel-on": timezone.localdate().isoformat(), "cancel-reason": "Cierre del local"},
    )
    assert answer.status_code == 302
    html = client.get(page).content.decode()
    assert "Cierre del local" in html and 'id="contract-actions-card"' not in html


def test_contract_page_shows_no_actions_to_a_reader(client, w):
    client.force_login(UserFactory(username="ro", role=Role.ANALYST))
    html = client.get(f"/service/contracts/{w.contract.pk}/")
    assert html.status_code == 200 and 'id="contract-actions-card"' not in html.content.decode()
    answer = client.post(
        f"/service/contracts/{w.contract.pk}/extend/", {"extend-ends_on": "2099-01-01"}
    )
    assert answer.status_code == 403
