"""The agenda's services: planning on whose agenda, the scope of what one sees,
logging an outcome onto the customer's timeline, cancelling."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from panorama.sales.agenda import activities_visible_to, activity_get, agenda_day
from panorama.sales.models import Activity
from panorama.sales.services.activity import (
    activity_cancel,
    activity_complete,
    activity_plan,
    activity_update,
)
from panorama.sales.services.opportunity import opportunity_create

from ..factories import (
    AdminFactory,
    CustomerFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rep, team):
    """Norte (rep and his manager) and Sur (another rep, another manager)."""
    south = TeamFactory(name="Sur")
    return {
        "rep": rep,
        "colleague": UserFactory(username="colega", teams=[team]),
        "manager": UserFactory(username="jefa", role=Role.SALES_MANAGER, managed_teams=[team]),
        "other_rep": UserFactory(username="sur", teams=[south]),
        "other_manager": UserFactory(
            username="jefe_sur", role=Role.SALES_MANAGER, managed_teams=[south]
        ),
        "customer": CustomerFactory(first_name="Ana", owner=rep, team=team),
    }


def soon(hours=2):
    return timezone.now() + datetime.timedelta(hours=hours)


def test_a_rep_plans_a_call_on_his_own_agenda(world, emitted):
    rep = world["rep"]
    with emitted() as events:
        call = activity_plan(
            by=rep,
            kind="call",
            subject="Renovación",
            starts_at=soon(),
            reminder_minutes=15,
            customer_id=world["customer"].pk,
        )
    assert (call.owner, call.created_by, call.status) == (rep, rep, "planned")
    assert call.remind_at == call.starts_at - datetime.timedelta(minutes=15)
    assert events[-1][0] == "activity.planned"
    assert events[-1][1]["owner_id"] == rep.pk


def test_a_rep_cannot_plan_on_a_colleagues_agenda(world):
    with pytest.raises(PermissionDenied):
        activity_plan(
            by=world["rep"],
            owner=world["colleague"].pk,
            kind="call",
            subject="x",
            starts_at=soon(),
        )
    assert not Activity.objects.exists()


def test_a_manager_plans_on_his_teams_members_agendas_only(world):
    manager = world["manager"]
    planned = activity_plan(
        by=manager, owner=world["rep"].pk, kind="visit", subject="Visita", starts_at=soon()
    )
    assert planned.owner == world["rep"]
    # Not on any user's: a rep of another team is refused (the earlier bug).
    with pytest.raises(PermissionDenied):
        activity_plan(
            by=manager, owner=world["other_rep"].pk, kind="call", subject="x", starts_at=soon()
        )
    with pytest.raises(PermissionDenied):
        activity_plan(
            by=manager,
            owner=world["other_manager"].pk,
            kind="call",
            subject="x",
            starts_at=soon(),
        )
    # Nor move an item of his own team to someone else's agenda.
    with pytest.raises(PermissionDenied):
        activity_update(
            by=manager, activity_id=planned.pk, changes={"owner_id": world["other_rep"].pk}
        )
    assert Activity.objects.get().owner == world["rep"]


def test_an_administrator_plans_on_anyones_agenda(world):
    admin = AdminFactory(username="root")
    item = activity_plan(
        by=admin, owner=world["other_rep"].pk, kind="task", subject="x", starts_at=soon()
    )
    assert item.owner == world["other_rep"]


def test_who_sees_what(world):
    rep, manager = world["rep"], world["manager"]
    mine = activity_plan(by=rep, kind="call", subject="Mía", starts_at=soon())
    theirs = activity_plan(by=world["other_rep"], kind="call", subject="Sur", starts_at=soon())
    colleague = activity_plan(
        by=world["colleague"], kind="call", subject="Colega", starts_at=soon()
    )
    assert set(activities_visible_to(rep)) == {mine}
    assert set(activities_visible_to(manager)) == {mine, colleague}
    assert set(activities_visible_to(world["other_manager"])) == {theirs}
    assert set(activities_visible_to(AdminFactory(username="root"))) == {mine, theirs, colleague}
    with pytest.raises(NotFound):
        activity_get(user=world["other_manager"], activity_id=mine.pk)
    with pytest.raises(NotFound):
        activity_complete(by=world["other_manager"], activity_id=mine.pk, outcome="x")


def test_related_records_must_be_visible_and_of_the_same_customer(world):
    pipeline_with_stages()
    rep = world["rep"]
    hidden = CustomerFactory(first_name="Oculta")
    with pytest.raises(ValidationFailed) as error:
        activity_plan(by=rep, kind="call", subject="x", starts_at=soon(), customer_id=hidden.pk)
    assert error.value.field == "customer_id"
    opp = opportunity_create(by=rep, customer_id=world["customer"].pk, name="Fibra")
    other = CustomerFactory(first_name="Otra", owner=rep)
    with pytest.raises(ValidationFailed) as error:
        activity_plan(
            by=rep,
            kind="call",
            subject="x",
            starts_at=soon(),
            customer_id=other.pk,
            opportunity_id=opp.pk,
        )
    assert error.value.field == "opportunity_id"
    item = activity_plan(by=rep, kind="call", subject="x", starts_at=soon(), opportunity_id=opp.pk)
    assert item.customer_id == world["customer"].pk  # the opportunity's customer
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"subject": "  "}, "subject"),
        ({"kind": "lunch"}, "kind"),
        ({"duration_minutes": 5000}, "duration_minutes"),
        ({"reminder_minutes": -1}, "reminder_minutes"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, bad, field):
    data = {"kind": "call", "subject": "Llamar", "starts_at": soon(), **bad}
    with pytest.raises(ValidationFailed) as error:
        activity_plan(by=world["rep"], **data)
    assert error.value.field == field
    assert not Activity.objects.exists()


def test_logging_a_call_writes_the_timeline_by_phone(world, emitted):
    pipeline_with_stages()
    rep = world["rep"]
    opp = opportunity_create(by=rep, customer_id=world["customer"].pk, name="Fibra")
    call = activity_plan(
        by=rep,
        kind="call",
        subject="Seguimiento",
        starts_at=timezone.now(),
        opportunity_id=opp.pk,
    )
    with emitted() as events:
        done = activity_complete(by=rep, activity_id=call.pk, outcome="Quiere la oferta el lunes")
    assert done.status == "done" and done.completed_at is not None
    entry = Interaction.objects.get(pk=done.interaction_id)
    assert (entry.channel, entry.direction) == ("phone", "outbound")
    assert entry.subject == "Call: Seguimiento"
    assert "Quiere la oferta el lunes" in entry.body
    assert entry.related == opp and entry.agent == rep
    assert [n for n, _p in events] == ["interaction.recorded", "activity.completed"]
    with pytest.raises(ValidationFailed) as error:
        activity_complete(by=rep, activity_id=call.pk, outcome="otra vez")
    assert error.value.field == "status"


def test_a_visit_is_in_person_and_needs_an_outcome(world):
    rep = world["rep"]
    visit = activity_plan(
        by=rep, kind="visit", subject="Tienda", starts_at=soon(-1), customer_id=world["customer"].pk
    )
    with pytest.raises(ValidationFailed) as error:
        activity_complete(by=rep, activity_id=visit.pk, outcome=" ")
    assert error.value.field == "outcome"
    assert Activity.objects.get().status == "planned"
    activity_complete(by=rep, activity_id=visit.pk, outcome="Firmado")
    assert Interaction.objects.get().channel == "in_person"


def test_a_manager_logs_and_cancels_for_his_rep(world, emitted):
    item = activity_plan(by=world["rep"], kind="meeting", subject="x", starts_at=soon())
    with emitted() as events:
        activity_cancel(by=world["manager"], activity_id=item.pk, reason="El cliente no puede")
    assert Activity.objects.get().status == "cancelled"
    assert events == [("activity.cancelled", {"activity_id": item.pk, "by": world["manager"].pk})]


def test_moving_an_item_sends_its_reminder_again(world):
    item = activity_plan(
        by=world["rep"], kind="call", subject="x", starts_at=soon(), reminder_minutes=10
    )
    Activity.objects.filter(pk=item.pk).update(reminder_sent_at=timezone.now())
    moved = activity_update(by=world["rep"], activity_id=item.pk, changes={"starts_at": soon(5)})
    assert moved.reminder_sent_at is None
    assert moved.remind_at == moved.starts_at - datetime.timedelta(minutes=10)


def test_the_day_proposes_due_opportunities_new_leads_and_overdue_items(world):
    from panorama.sales.services.lead import lead_create

    pipeline_with_stages()
    rep = world["rep"]
    today = timezone.localdate()
    due = opportunity_create(
        by=rep,
        customer_id=world["customer"].pk,
        name="Vence",
        next_step="Llamar",
        next_step_date=today,
    )
    opportunity_create(
        by=rep,
        customer_id=world["customer"].pk,
        name="Más tarde",
        next_step_date=today + datetime.timedelta(days=9),
    )
    lead = lead_create(by=None, company="Talleres Pérez", owner=rep, team=world["customer"].team)
    late = activity_plan(by=rep, kind="call", subject="Atrasada", starts_at=soon(-48))
    today_item = activity_plan(by=rep, kind="call", subject="Hoy", starts_at=timezone.now())
    day = agenda_day(user=rep, owner=rep, day=today)
    assert day.activities == [today_item]
    assert day.proposed.opportunities == [due]
    assert day.proposed.leads == [lead]
    assert day.proposed.overdue == [late]
