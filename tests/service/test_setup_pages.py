"""The service set-up page (/service/settings/): a manager adds and edits queues with
their members' skills, business hours with holidays and SLA policies; a refusal comes
back on its field (422) with nothing saved; an agent reads it and may not post."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.service.models import BusinessCalendar, Queue, QueueMember, SlaPolicy
from panorama.service.services import sla

from ..factories import QueueFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = UserFactory(
        username="jefa", role=Role.SERVICE_AGENT, managed_teams=[TeamFactory(name="Soporte")]
    )
    client.force_login(user)
    return user


def test_a_manager_adds_a_queue_with_members_and_edits_it(client, manager):
    UserFactory(username="eva", first_name="Eva", role=Role.SERVICE_AGENT)
    UserFactory(username="leo", first_name="Leo", role=Role.SERVICE_AGENT)
    answer = client.post(
        reverse("service:queue_add"),
        {"name": "Fibra", "members": "eva: Fibre, billing\nleo (paused)", "active": "on"},
    )
    assert answer.status_code == 302 and answer.url.endswith("/service/settings/#queues")
    queue = Queue.objects.get()
    members = {m.user.username: (m.skills, m.active) for m in queue.memberships.all()}
    assert members == {"eva": (["fibre", "billing"], True), "leo": ([], False)}
    page = client.get(reverse("service:setup")).content.decode()
    assert "Fibra" in page and '<span class="pn-chip">billing</span>' in page
    edit_url = reverse("service:queue_edit", args=[queue.pk])
    form = client.get(edit_url).content.decode()
    assert "eva: fibre, billing" in form and "leo (paused)" in form
    client.post(edit_url, {"name": "Fibra óptica", "members": "eva: english"})
    queue.refresh_from_db()
    assert queue.name == "Fibra óptica" and not queue.active
    assert list(QueueMember.objects.values_list("user__username", "skills")) == [
        ("eva", ["english"])
    ]


def test_a_bad_entry_comes_back_on_its_field_and_nothing_is_saved(client, manager):
    QueueFactory(name="Fibra")
    answer = client.post(reverse("service:queue_add"), {"name": "fibra"})
    assert answer.status_code == 422
    assert 'id="queue-name-error"' in answer.content.decode()
    answer = client.post(reverse("service:queue_add"), {"name": "Otra", "members": "nadie: x"})
    assert answer.status_code == 422 and "No user is called nadie" in answer.content.decode()
    answer = client.post(
        reverse("service:calendar_add"),
        {
            "name": "Madrid",
            "time_zone": "Europe/Madrid",
            "country": "ES",
            "subdivision": "MD",
            "hours": "mon: 09:00-18:00",
            "extra_holidays": "2026-02-30 Nunca",
        },
    )
    assert answer.status_code == 422
    assert 'id="calendar-extra_holidays-error"' in answer.content.decode()
    assert "2026-02-30 is not a valid date" in answer.content.decode()
    assert Queue.objects.count() == 1 and not BusinessCalendar.objects.exists()


def test_a_manager_sets_business_hours_and_a_policy_that_may_not_overlap(client, manager):
    answer = client.post(
        reverse("service:calendar_add"),
        {
            "name": "Sevilla",
            "time_zone": "Europe/Madrid",
            "country": "ES",
            "subdivision": "AN",
            "hours": "mon: 08:00-15:00\nfri: 08:00–14:00",
            "extra_holidays": "2026-12-24 Nochebuena",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours == {"mon": [["08:00", "15:00"]], "fri": [["08:00", "14:00"]]}
    assert calendar.extra_holidays.get().name == "Nochebuena"
    policy = {
        "name": "Urgente",
        "calendar_id": calendar.pk,
        "priority": "urgent",
        "first_response_minutes": "30",
        "resolution_minutes": "240",
        "warn_minutes": "15",
        "raise_priority": "on",
        "active": "on",
    }
    assert client.post(reverse("service:policy_add"), policy).status_code == 302
    twin = client.post(reverse("service:policy_add"), {**policy, "name": "Gemela"})
    assert twin.status_code == 422 and "overlaps Urgente" in twin.content.decode()
    saved = SlaPolicy.objects.get()
    edit = client.post(
        reverse("service:policy_edit", args=[saved.pk]), {**policy, "resolution_minutes": "480"}
    )
    assert edit.status_code == 302
    saved.refresh_from_db()
    assert saved.resolution_minutes == 480
    page = client.get(reverse("service:setup")).content.decode()
    assert "Sevilla" in page and "Nochebuena" in page and "Urgent" in page


def test_an_agent_reads_the_set_up_but_may_not_change_it(client):
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    client.force_login(agent)
    calendar = sla.calendar_save(by=None, name="Madrid")
    page = client.get(reverse("service:setup"))
    assert page.status_code == 200 and "Madrid" in page.content.decode()
    assert 'id="queue-form"' not in page.content.decode()
    assert client.post(reverse("service:queue_add"), {"name": "Fibra"}).status_code == 403
    edit = reverse("service:calendar_edit", args=[calendar.pk])
    assert client.get(edit).status_code == 403
    assert not Queue.objects.exists()


def test_the_set_up_page_reads_in_a_few_queries(client, manager, django_assert_max_num_queries):
    calendar = sla.calendar_save(by=None, name="Madrid", extra_holidays=[("2026-12-24", "x")])
    for n in range(3):
        queue = QueueFactory(name=f"Cola {n}")
        QueueMember.objects.create(queue=queue, user=manager, skills=["fibre"])
        sla.policy_save(
            by=None,
            policy=SlaPolicy(
                name=f"P{n}",
                calendar=calendar,
                queue=queue,
                first_response_minutes=60,
                resolution_minutes=600,
            ),
        )
    client.get(reverse("service:setup"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("service:setup"))
    for n in range(3, 10):
        queue = QueueFactory(name=f"Cola {n}")
        QueueMember.objects.create(queue=queue, user=manager, skills=["fibre"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("service:setup"))
    assert page.content.decode().count("Cola ") >= 10


def test_the_set_up_page_speaks_spanish(client, manager):
    manager.language = "es"
    manager.save(update_fields=["language"])
    page = client.get(reverse("service:setup"), headers={"Accept-Language": "es"})
    text = page.content.decode()
    assert "Configuración del servicio" in text and "Añadir la cola" in text
    assert "Miembros y habilidades" in text
