"""Service levels in business hours: due times across a weekend and Spanish holidays,
the clock's pause while waiting on the customer, and the policies' rules."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.service.models import BusinessCalendar, Case, SlaPolicy
from panorama.service.services import sla, sla_clocks
from panorama.service.services.business_hours import (
    Hours,
    add_business_minutes,
    business_minutes_between,
)
from panorama.service.services.case import case_open, case_set_status

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
WEEK = {day: [("09:00", "18:00")] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def test_business_minutes_skip_the_weekend_and_the_holidays():
    plain = Hours("Europe/Madrid", WEEK)
    # Friday 4 December 2026, 17:00: one hour on Friday, then Monday.
    assert add_business_minutes(plain, at(2026, 12, 4, 17), 120) == at(2026, 12, 7, 10)
    madrid = Hours("Europe/Madrid", WEEK, sla.public_holidays("ES", "MD").__contains__)
    # In Madrid the 7th (Constitution Day moved) and the 8th (Immaculate) are holidays.
    assert add_business_minutes(madrid, at(2026, 12, 4, 17), 120) == at(2026, 12, 9, 10)
    catalonia = Hours("Europe/Madrid", WEEK, sla.public_holidays("ES", "CT").__contains__)
    assert add_business_minutes(catalonia, at(2026, 12, 4, 17), 120) == at(2026, 12, 7, 10)
    # Opened on a Saturday night: the clock starts on the next opening.
    assert add_business_minutes(plain, at(2026, 12, 5, 23), 30) == at(2026, 12, 7, 9, 30)
    assert business_minutes_between(madrid, at(2026, 12, 4, 17), at(2026, 12, 9, 10)) == 120
    assert business_minutes_between(madrid, at(2026, 12, 9, 10), at(2026, 12, 4, 17)) == -120


@pytest.fixture
def calendar():
    return sla.calendar_save(
        by=None,
        name="Madrid",
        subdivision="MD",
        hours={
            "mon": [["09:00", "14:00"], ["15:00", "18:00"]],
            **{d: [["09:00", "18:00"]] for d in ("tue", "wed", "thu", "fri")},
        },
        extra_holidays=[(date(2026, 12, 10), "Fiesta de empresa")],
    )


def test_a_case_gets_due_times_and_its_clock_pauses_while_waiting(calendar):
    queue = QueueFactory(name="Fibra")
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Fibra",
            calendar=calendar,
            queue=queue,
            first_response_minutes=120,
            resolution_minutes=9 * 60,
        ),
    )
    customer = CustomerFactory()
    case = Case(customer=customer, queue=queue, priority="normal")
    sla.sla_start(case, at(2026, 12, 4, 17))
    # Friday 17-18 (60), Mon 7 and Tue 8 holidays (Madrid), Wed 9 from 9:00 (+60).
    assert case.first_response_due == at(2026, 12, 9, 10)
    # 9 h: 1 on Friday, then Wednesday 9:00 + 8 h.
    assert case.resolution_due == at(2026, 12, 9, 17)
    # Waiting on the customer from Wed 9:30 to Fri 11 Dec 10:00: Wed 9:30-18 (510),
    # Thursday 10th is the company's holiday, Friday 9-10 (60): 570 business minutes.
    sla.sla_pause(case, at(2026, 12, 9, 9, 30))
    assert sla_clocks.sla_clocks(case, at(2026, 12, 11, 9))[1].state == "paused"
    assert sla.sla_resume(case, at(2026, 12, 11, 10)) == 570
    assert case.sla_paused_minutes == 570
    # Wed 10:00 + 570: Wed 10-18 (480), Friday 9:00 + 90.
    assert case.first_response_due == at(2026, 12, 11, 10, 30)
    assert case.resolution_due == at(2026, 12, 11, 17, 30)
    clocks = sla_clocks.sla_clocks(case, at(2026, 12, 11, 10, 45))
    assert [c.state for c in clocks] == ["breached", "running"]
    assert [c.minutes_left for c in clocks] == [-15, 405]
    # A lunch break does not count (Monday 14 December: 9-14, 15-18).
    assert sla_clocks.sla_clocks(case, at(2026, 12, 11, 17))[1].state == "warning"
    hours = sla.hours_of(calendar)
    assert add_business_minutes(hours, at(2026, 12, 14, 13), 90) == at(2026, 12, 14, 15, 30)


def test_opening_and_waiting_through_the_services_use_the_policy(calendar):
    agent = UserFactory(role=Role.SERVICE_AGENT)
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Todo", calendar=calendar, first_response_minutes=60, resolution_minutes=600
        ),
    )
    case = case_open(by=agent, customer_id=CustomerFactory().pk, subject="Sin línea")
    assert case.sla_policy is not None and case.first_response_due and case.resolution_due
    case_set_status(by=agent, case_id=case.pk, status="waiting")
    case.refresh_from_db()
    assert case.sla_paused_at is not None
    case_set_status(by=agent, case_id=case.pk, status="open")
    case.refresh_from_db()
    assert case.sla_paused_at is None


def test_overlapping_policies_are_refused_naming_the_other(calendar):
    queue = QueueFactory(name="Fibra")

    def policy(name, **criteria):
        return sla.policy_save(
            by=None,
            policy=SlaPolicy(
                name=name,
                calendar=calendar,
                first_response_minutes=60,
                resolution_minutes=600,
                **criteria,
            ),
        )

    policy("Fibra", queue=queue)
    policy("Fibra urgente", queue=queue, priority="urgent")  # more specific: fine
    policy("General")  # less specific than all: fine
    with pytest.raises(ValidationFailed, match="overlaps Fibra"):
        policy("Fibra bis", queue=queue)
    # Crossing criteria: an urgent case of a company in Fibra would match both.
    with pytest.raises(ValidationFailed, match="overlaps Fibra"):
        policy("Urgentes empresa", priority="urgent", segment="organisation")
    customer = CustomerFactory(kind="organisation")
    case = Case(customer=customer, queue=queue, priority="urgent")
    assert sla.policy_for(case).name == "Fibra urgente"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"subdivision": "XX"}, "subdivision"),
        ({"country": "ZZ"}, "country"),
        ({"hours": {"mon": [["18:00", "09:00"]]}}, "hours"),
        ({"hours": {"funday": [["09:00", "18:00"]]}}, "hours"),
        ({"hours": {"mon": [["9", "18:00"]]}}, "hours"),
        ({"hours": {}}, "hours"),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_field(changes, field):
    with pytest.raises(ValidationFailed) as error:
        sla.calendar_save(by=None, name="Malo", **changes)
    assert error.value.field == field


def test_only_an_administrator_configures_service_levels():
    with pytest.raises(PermissionDenied):
        sla.calendar_save(by=UserFactory(role=Role.SERVICE_AGENT), name="Madrid")


def test_the_api_configures_service_levels_and_refuses_an_overlap(api_as):
    admin = UserFactory(username="jefe", role=Role.ADMIN)
    api = api_as(admin)
    answer = api.post(
        "/sla/calendars",
        json={"name": "Sevilla", "subdivision": "AN", "extra_holidays": [{"date": "2026-04-01"}]},
    )
    assert answer.status_code == 201, answer.content
    calendar_id = answer.json()["id"]
    bad = api.post("/sla/calendars", json={"name": "X", "subdivision": "ZZ"})
    assert bad.status_code == 422 and "subdivision" in bad.json()["errors"]
    policy = {
        "name": "A",
        "calendar_id": calendar_id,
        "first_response_minutes": 60,
        "resolution_minutes": 600,
        "priority": "high",
    }
    assert api.post("/sla/policies", json=policy).status_code == 201
    twin = api.post("/sla/policies", json={**policy, "name": "B"})
    assert twin.status_code == 422 and "overlaps A" in twin.json()["detail"]
    assert [p["name"] for p in api.get("/sla/policies").json()] == ["A"]


def test_the_case_page_shows_the_clocks_with_the_time_left(calendar, client):
    agent = UserFactory(role=Role.SERVICE_AGENT)
    client.force_login(agent)
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Todo", calendar=calendar, first_response_minutes=60, resolution_minutes=600
        ),
    )
    case = case_open(by=agent, customer_id=CustomerFactory().pk, subject="Sin línea")
    # Overdue on purpose: the first response was due a week ago.
    Case.objects.filter(pk=case.pk).update(first_response_due=at(2026, 11, 16, 10))
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'id="case-sla"' in page and "Todo" in page
    assert 'data-sla-state="breached"' in page and "Breached by" in page


def test_the_admin_shows_policies_and_calendars_read_only(calendar, admin_client):
    """They are set up on the service set-up page (tests/service/test_setup_pages.py)
    and the API, through the services that refuse an overlap or a bad region."""
    policy = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Altas",
            calendar=calendar,
            priority="high",
            first_response_minutes=60,
            resolution_minutes=600,
        ),
    )
    assert admin_client.get("/admin/service/slapolicy/add/").status_code == 403
    page = admin_client.get(f"/admin/service/slapolicy/{policy.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    posted = admin_client.post(
        "/admin/service/businesscalendar/add/", {"name": "Mal", "subdivision": "XX"}
    )
    assert posted.status_code == 403
    assert admin_client.get("/admin/service/queue/add/").status_code == 403
    assert list(BusinessCalendar.objects.values_list("name", flat=True)) == ["Madrid"]


@pytest.mark.parametrize(
    ("holidays", "words"),
    [
        ([("2026-02-30", "Nunca")], "2026-02-30 is not a valid date"),
        ([("30/12/2026", "Formato")], "30/12/2026 is not a valid date"),
        ([(date(2026, 12, 24), "Nochebuena"), ("2026-12-24", "Otra")], "2026-12-24 is listed"),
        ([(date(2026, 12, 24), "x" * 101)], "longer than 100"),
    ],
)
def test_a_calendar_with_an_invalid_holiday_is_refused_and_nothing_is_written(holidays, words):
    with pytest.raises(ValidationFailed) as error:
        sla.calendar_save(by=None, name="Malo", subdivision="MD", extra_holidays=holidays)
    assert error.value.field == "extra_holidays" and words in str(error.value.message)
    assert not BusinessCalendar.objects.exists()


def test_the_api_refuses_an_invalid_holiday_naming_it_in_both_languages(api_as):
    api = api_as(UserFactory(role=Role.ADMIN))
    body = {"name": "Sevilla", "extra_holidays": [{"date": "2026-02-30", "name": "Nunca"}]}
    answer = api.post("/sla/calendars", json=body)
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["extra_holidays.0.date"]
    assert "YYYY-MM-DD" in answer.json()["detail"]
    spanish = api.post("/sla/calendars", json=body, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 422 and "fecha" in spanish.json()["detail"].lower()
    assert not BusinessCalendar.objects.exists()
