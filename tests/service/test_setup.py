"""The service set-up through its services and the API: queues with members and skills,
calendars and SLA policies by their ids; managers only, every refusal on its field and
nothing half-written."""

from datetime import date

import pytest

from panorama.accounts.models import Role
from panorama.config.api import api as ninja_api
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.service.models import BusinessCalendar, Queue, QueueMember, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.setup import Member, calendar_update, policy_set, queue_save

from ..factories import QueueFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    """A service agent who leads a team: a service manager."""
    return UserFactory(
        username="jefa", role=Role.SERVICE_AGENT, managed_teams=[TeamFactory(name="Soporte")]
    )


@pytest.fixture
def agents():
    return [
        UserFactory(username="eva", first_name="Eva", last_name="Gil", role=Role.SERVICE_AGENT),
        UserFactory(username="leo", first_name="Leo", last_name="Paz", role=Role.SERVICE_AGENT),
    ]


@pytest.fixture
def calendar():
    return sla.calendar_save(by=None, name="Madrid", subdivision="MD")


def test_a_manager_creates_a_queue_with_members_and_skills(manager, agents, emitted):
    eva, leo = agents
    with emitted() as events:
        queue = queue_save(
            by=manager,
            changes={"name": " Fibra ", "email": "fibra@example.com"},
            members=[Member(eva.pk, ("Fibre", "billing", "fibre")), Member(leo.pk, active=False)],
        )
    assert queue.name == "Fibra"
    rows = {m.user.username: m for m in QueueMember.objects.filter(queue=queue)}
    assert rows["eva"].skills == ["fibre", "billing"] and rows["eva"].active
    assert rows["leo"].skills == [] and not rows["leo"].active
    assert events == [("service.queue_saved", {"queue_id": queue.pk, "by": manager.pk})]
    # Replacing the members: Leo leaves, Eva's skills change, her row is kept.
    eva_row = rows["eva"].pk
    queue_save(by=manager, queue=queue, changes={}, members=[Member(eva.pk, ("english",))])
    assert list(QueueMember.objects.filter(queue=queue).values_list("pk", "skills")) == [
        (eva_row, ["english"])
    ]
    # Without ``members`` they are left alone.
    queue_save(by=manager, queue=queue, changes={"active": False})
    assert QueueMember.objects.filter(queue=queue).count() == 1
    assert not Queue.objects.get(pk=queue.pk).active


@pytest.mark.parametrize(
    "changes, members, field",
    [
        ({"name": ""}, None, "name"),
        ({"name": "fibra"}, None, "name"),  # the same name in other letters
        ({"name": "x" * 101}, None, "name"),
        ({"name": "Nueva", "email": "no-es-correo"}, None, "email"),
        ({"name": "Nueva", "colour": "red"}, None, "colour"),
        ({"name": "Nueva"}, "twice", "members"),
        ({"name": "Nueva"}, "unknown", "members"),
        ({"name": "Nueva"}, "long skill", "members"),
    ],
)
def test_a_bad_queue_is_refused_on_its_field_and_nothing_is_written(
    manager, agents, changes, members, field
):
    QueueFactory(name="Fibra")
    eva = agents[0]
    member_lists = {
        None: None,
        "twice": [Member(eva.pk), Member(eva.pk)],
        "unknown": [Member(99999)],
        "long skill": [Member(eva.pk, ("s" * 41,))],
    }
    with pytest.raises(ValidationFailed) as error:
        queue_save(by=manager, changes=changes, members=member_lists[members])
    assert error.value.field == field
    assert Queue.objects.count() == 1 and QueueMember.objects.count() == 0


def test_an_agent_who_leads_no_team_may_not_set_up_the_service(agents, calendar):
    with pytest.raises(PermissionDenied):
        queue_save(by=agents[0], changes={"name": "Fibra"})
    with pytest.raises(PermissionDenied):
        policy_set(
            by=agents[0],
            changes={
                "name": "A",
                "calendar_id": calendar.pk,
                "first_response_minutes": 60,
                "resolution_minutes": 600,
            },
        )
    assert not Queue.objects.exists() and not SlaPolicy.objects.exists()


def test_a_calendar_changes_its_region_and_holidays_and_keeps_the_rest(manager, calendar):
    calendar_update(
        by=manager,
        calendar=calendar,
        changes={"subdivision": "CT"},
        extra_holidays=[("2026-12-24", "Nochebuena")],
    )
    calendar.refresh_from_db()
    assert (calendar.name, calendar.subdivision) == ("Madrid", "CT")
    assert list(calendar.extra_holidays.values_list("date", "name")) == [
        (date(2026, 12, 24), "Nochebuena")
    ]
    with pytest.raises(ValidationFailed) as error:
        calendar_update(
            by=manager, calendar=calendar, changes={}, extra_holidays=[("2026-02-30", "No")]
        )
    assert error.value.field == "extra_holidays"
    assert calendar.extra_holidays.count() == 1  # nothing half-written
    calendar_update(by=manager, calendar=calendar, changes={"name": "Barcelona"})
    assert calendar.extra_holidays.count() == 1  # holidays not given: kept


def test_a_policy_names_existing_records_and_does_not_overlap(manager, calendar):
    queue = QueueFactory(name="Fibra")
    base = {
        "name": "Urgente",
        "calendar_id": calendar.pk,
        "priority": "urgent",
        "first_response_minutes": 30,
        "resolution_minutes": 240,
    }
    policy = policy_set(by=manager, changes=base)
    for changes, field in [
        ({"calendar_id": 999}, "calendar_id"),
        ({"queue_id": 999}, "queue_id"),
        ({"escalate_to_user_id": 999}, "escalate_to_user_id"),
        ({"manager_email": "jefa@"}, "manager_email"),
        ({"priority": "extreme"}, "priority"),
        ({"first_response_minutes": 300}, "first_response_minutes"),
    ]:
        with pytest.raises(ValidationFailed) as error:
            policy_set(by=manager, changes={**base, "name": "Otra", **changes})
        assert error.value.field == field, changes
    with pytest.raises(ValidationFailed, match="overlaps Urgente"):
        policy_set(by=manager, changes={**base, "name": "Gemela"})
    policy_set(by=manager, policy=policy, changes={"queue_id": queue.pk, "warn_minutes": 15})
    policy.refresh_from_db()
    assert (policy.queue_id, policy.warn_minutes, policy.priority) == (queue.pk, 15, "urgent")
    assert SlaPolicy.objects.count() == 1


# --- the API ----------------------------------------------------------------------------


def test_the_api_creates_lists_and_changes_queues(api_as, manager, agents):
    api = api_as(manager)
    eva, leo = agents
    answer = api.post(
        "/service/queues",
        json={"name": "Fibra", "members": [{"user_id": eva.pk, "skills": ["Fibre"]}]},
    )
    assert answer.status_code == 201, answer.content
    queue = answer.json()
    assert queue["members"] == [
        {
            "user_id": eva.pk,
            "username": "eva",
            "name": "Eva Gil",
            "skills": ["fibre"],
            "active": True,
        }
    ]
    changed = api.patch(
        f"/service/queues/{queue['id']}",
        json={"email": "fibra@example.com", "members": [{"user_id": leo.pk}]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["email"] == "fibra@example.com"
    assert [m["username"] for m in changed.json()["members"]] == ["leo"]
    listed = api_as(eva).get("/service/queues")
    assert [q["name"] for q in listed.json()] == ["Fibra"]
    assert api.get("/service/queues/999").status_code == 404


def test_the_api_answers_422_on_the_field_and_403_to_an_agent(api_as, manager, agents):
    QueueFactory(name="Fibra")
    api = api_as(manager)
    bad = api.post("/service/queues", json={"name": "fibra"})
    assert bad.status_code == 422 and "name" in bad.json()["errors"]
    bad = api.post("/service/queues", json={"name": "Otra", "members": [{"user_id": 999}]})
    assert bad.status_code == 422 and "members" in bad.json()["errors"]
    bad = api.post("/service/queues", json={"name": "Otra", "members": "eva"})
    assert bad.status_code == 422
    agent = api_as(agents[0])
    assert agent.post("/service/queues", json={"name": "Otra"}).status_code == 403
    # 403 before the body is looked at.
    assert agent.post("/service/queues", json={"name": ""}).status_code == 403
    queue_id = Queue.objects.get().pk
    assert agent.patch(f"/service/queues/{queue_id}", json={"active": False}).status_code == 403
    assert Queue.objects.get().active and Queue.objects.count() == 1


def test_the_api_changes_calendars_and_policies(api_as, manager, agents, calendar):
    api = api_as(manager)
    answer = api.patch(
        f"/sla/calendars/{calendar.pk}",
        json={
            "subdivision": "AN",
            "extra_holidays": [{"date": "2026-12-24", "name": "Nochebuena"}],
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["subdivision"] == "AN"
    assert answer.json()["extra_holidays"] == [{"date": "2026-12-24", "name": "Nochebuena"}]
    # A holiday sent without its (optional) name gets the default one, not a server error.
    unnamed = api.patch(
        f"/sla/calendars/{calendar.pk}", json={"extra_holidays": [{"date": "2026-12-31"}]}
    )
    assert unnamed.status_code == 200, unnamed.content
    assert unnamed.json()["extra_holidays"] == [{"date": "2026-12-31", "name": "Company holiday"}]
    bad = api.patch(f"/sla/calendars/{calendar.pk}", json={"subdivision": "ZZ"})
    assert bad.status_code == 422 and "subdivision" in bad.json()["errors"]
    assert [c["name"] for c in api.get("/sla/calendars").json()] == ["Madrid"]
    created = api.post(
        "/sla/policies",
        json={
            "name": "Todo",
            "calendar_id": calendar.pk,
            "first_response_minutes": 60,
            "resolution_minutes": 600,
        },
    )
    assert created.status_code == 201, created.content
    policy_id = created.json()["id"]
    changed = api.patch(f"/sla/policies/{policy_id}", json={"resolution_minutes": 480})
    assert changed.status_code == 200 and changed.json()["resolution_minutes"] == 480
    bad = api.patch(f"/sla/policies/{policy_id}", json={"calendar_id": 999})
    assert bad.status_code == 422 and "calendar_id" in bad.json()["errors"]
    agent = api_as(agents[0])
    assert agent.patch(f"/sla/policies/{policy_id}", json={"active": False}).status_code == 403
    assert agent.post("/sla/calendars", json={"name": "Otro"}).status_code == 403
    assert api.patch("/sla/policies/999", json={"active": False}).status_code == 404
    assert BusinessCalendar.objects.count() == 1
    assert SlaPolicy.objects.get().resolution_minutes == 480


def test_the_set_up_routes_are_in_the_openapi_schema():
    paths = ninja_api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/service/queues"])
    assert "patch" in paths["/api/v1/service/queues/{queue_id}"]
    assert "patch" in paths["/api/v1/sla/calendars/{calendar_id}"]
    assert "patch" in paths["/api/v1/sla/policies/{policy_id}"]
