"""A contract extended (or renewed) after it ended covers the open cases opened since:
their SLA policy becomes the contract's and their due times are counted again from
their opening (``sla_retarget``'s rule), with a note on each case saying so; a closed
case and a case of another customer's are left as they were."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.service.models import Case, ServiceContract, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.case import case_open
from panorama.service.services.contract import contract_extend, contract_renew

from ..factories import CustomerFactory, QueueFactory, UserFactory
from .field_world import field_world

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def lapsed():
    """The boiler's contract (policy Oro) ended yesterday; a case opened today about the
    boiler got the queue's policy (Hogar)."""
    w = field_world()
    calendar = sla.calendar_save(by=None, name="Madrid", subdivision="MD")
    queue = QueueFactory(name="Hogar")
    general, gold = (
        sla.policy_save(
            by=None,
            policy=SlaPolicy(
                name=name,
                calendar=calendar,
                queue=q,
                first_response_minutes=first,
                resolution_minutes=resolution,
            ),
        )
        for name, q, first, resolution in (
            ("Hogar", queue, 480, 2400),
            ("Oro", QueueFactory(name="VIP"), 120, 480),
        )
    )
    today = timezone.localdate()
    ServiceContract.objects.filter(pk=w.contract.pk).update(sla_policy=gold, ends_on=today - DAY)
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)

    def opened(subject: str, **extra) -> Case:
        return case_open(
            by=agent,
            customer_id=extra.pop("customer_id", w.customer.pk),
            subject=subject,
            queue_id=queue.pk,
            **extra,
        )

    case = opened("Fuga", asset_id=w.asset.pk)
    assert case.sla_policy == general
    return w, case, opened, general, gold


def _expected(case: Case, policy: SlaPolicy) -> tuple:
    hours = sla.hours_of(policy.calendar)
    return (
        hours.add(case.created_at, policy.first_response_minutes),
        hours.add(case.created_at, policy.resolution_minutes),
    )


def test_an_extension_gives_the_cases_opened_since_the_old_end_its_policy(lapsed, emitted):
    w, case, opened, general, gold = lapsed
    closed = opened("Otra fuga", asset_id=w.asset.pk)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    unrelated = opened("Sin caldera")  # names neither the boiler nor its product
    with emitted() as events:
        contract_extend(
            by=w.dispatcher,
            contract_id=w.contract.pk,
            ends_on=timezone.localdate() + 30 * DAY,
        )
    case.refresh_from_db()
    assert case.sla_policy == gold
    assert (case.first_response_due, case.resolution_due) == _expected(case, gold)
    note = case.messages.get(kind="note", body__contains="recounted")
    assert note.body.splitlines()[0] == (
        f"Service level Hogar → Oro: due times recounted (contract {w.contract.reference} "
        f"extended to {(timezone.localdate() + 30 * DAY).strftime('%m/%d/%Y')})."
    )
    assert "Resolution due:" in note.body
    for other in (closed, unrelated):
        other.refresh_from_db()
        assert other.sla_policy == general
        assert not other.messages.filter(body__contains="recounted").exists()
    assert [p["cases_recounted"] for n, p in events if n == "contract.extended"] == [1]


def test_a_renewal_after_a_lapse_covers_the_cases_opened_since(lapsed, emitted):
    w, case, opened, general, gold = lapsed
    stranger = opened("Fuga", customer_id=CustomerFactory().pk)
    with emitted() as events:
        new = contract_renew(by=w.dispatcher, contract_id=w.contract.pk)
    assert new.starts_on == timezone.localdate()
    case.refresh_from_db()
    assert case.sla_policy == gold
    assert (case.first_response_due, case.resolution_due) == _expected(case, gold)
    assert case.messages.filter(kind="note", body__contains=new.reference).count() == 1
    stranger.refresh_from_db()
    assert stranger.sla_policy == general
    assert [p["cases_recounted"] for n, p in events if n == "contract.renewed"] == [1]


def test_an_extension_leaves_the_cases_it_already_covered_alone(lapsed):
    w, case, _opened, _general, gold = lapsed
    contract_extend(
        by=w.dispatcher, contract_id=w.contract.pk, ends_on=timezone.localdate() + 10 * DAY
    )
    case.refresh_from_db()
    dues = (case.first_response_due, case.resolution_due)
    contract_extend(
        by=w.dispatcher, contract_id=w.contract.pk, ends_on=timezone.localdate() + 20 * DAY
    )
    case.refresh_from_db()
    assert (case.sla_policy, case.first_response_due, case.resolution_due) == (gold, *dues)
    assert case.messages.filter(body__contains="recounted").count() == 1


def test_the_note_is_in_the_sites_language(lapsed, settings):
    w, case, _opened, _general, _gold = lapsed
    settings.LANGUAGE_CODE = "es"
    contract_extend(
        by=w.dispatcher, contract_id=w.contract.pk, ends_on=timezone.localdate() + 10 * DAY
    )
    note = case.messages.get(body__contains="recalculados")
    assert note.body.startswith("Nivel de servicio Hogar → Oro: plazos recalculados (contrato ")
