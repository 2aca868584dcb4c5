"""Callback requests: from an agent (page and API), the public web form (token, honeypot,
rate limit), assignment to the least loaded queue member, the agenda's selector, closing,
and the sweep that escalates overdue ones (a real SMTP server gets the manager's mail)."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.service.models import CallbackForm, CallbackRequest, SlaPolicy
from panorama.service.selectors import callbacks_due
from panorama.service.services import sla
from panorama.service.services.callback import callback_request_create, callback_sweep
from panorama.service.tasks import callback_sweep_task

from ..factories import CustomerFactory, IdentityFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
TOMORROW_16, TOMORROW_18 = f"{TOMORROW}T16:00", f"{TOMORROW}T18:00"


@pytest.fixture
def queue():
    queue = QueueFactory(name="Atención")
    for name in ("eva", "leo"):
        queue.memberships.create(user=UserFactory(username=name, role=Role.SERVICE_AGENT))
    return queue


def test_callbacks_go_to_the_least_loaded_member(queue, emitted):
    eva, leo = (m.user for m in queue.memberships.order_by("id"))
    with emitted() as events:
        first = callback_request_create(by=None, source="ivr", phone="600112233", queue_id=queue.pk)
    second = callback_request_create(by=None, source="ivr", phone="600112234", queue_id=queue.pk)
    third = callback_request_create(by=None, source="ivr", phone="600112235", queue_id=queue.pk)
    assert [first.assigned_to, second.assigned_to, third.assigned_to] == [eva, leo, eva]
    assert first.phone == "+34600112233"
    assert events == [
        (
            "callback.requested",
            {
                "callback_id": first.pk,
                "customer_id": None,
                "source": "ivr",
                "queue_id": queue.pk,
                "assigned_to_id": eva.pk,
                "by": None,
            },
        )
    ]


def test_a_known_number_is_linked_to_its_customer(queue):
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233")
    callback = callback_request_create(by=None, source="ivr", phone="+34 600 11 22 33")
    assert callback.customer == ana and callback.name == "Ana Ruiz"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"phone": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"window_end_before": True}, "window_end"),
        ({"source": "fax"}, "source"),
        ({"queue_id": 99999}, "queue"),
    ],
)
def test_bad_requests_name_the_field_and_keep_nothing(kwargs, field):
    from panorama.core.exceptions import ValidationFailed

    args = {"by": None, "source": "ivr", "phone": "600112233"}
    if kwargs.pop("window_end_before", False):
        now = timezone.now()
        args |= {"window_start": now + datetime.timedelta(hours=2), "window_end": now}
    args |= kwargs
    with pytest.raises(ValidationFailed) as error:
        callback_request_create(**args)
    assert error.value.field == field
    assert not CallbackRequest.objects.exists()


def test_an_agent_records_one_on_the_page_and_it_is_his(client, queue):
    eva = queue.memberships.first().user
    client.force_login(eva)
    response = client.post(
        "/service/callbacks/new/",
        {
            "phone": "611 22 33 44",
            "name": "Pedro",
            "window_start": TOMORROW_16,
            "window_end": TOMORROW_18,
            "reason": "Quiere hablar de su factura",
        },
    )
    assert response.status_code == 302
    callback = CallbackRequest.objects.get()
    assert (callback.source, callback.assigned_to, callback.created_by) == ("agent", eva, eva)
    page = client.get("/service/callbacks/?owner=me")
    assert "Pedro" in page.content.decode() and "Quiere hablar" in page.content.decode()
    bad = client.post("/service/callbacks/new/", {"phone": "611 22 33 44", "window_start": "x"})
    assert bad.status_code == 422


def test_the_agenda_selector_lists_the_days_callbacks(queue):
    eva = queue.memberships.first().user
    now = timezone.now()
    overdue = callback_request_create(
        by=None,
        source="ivr",
        phone="600112233",
        assigned_to=eva,
        window_start=now - datetime.timedelta(hours=3),
        window_end=now + datetime.timedelta(minutes=1),
    )
    # Tomorrow at 10:00 local time (now + 24 h would be the day after near midnight).
    next_day = timezone.localdate() + datetime.timedelta(days=1)
    tomorrow = callback_request_create(
        by=None,
        source="ivr",
        phone="600112234",
        assigned_to=eva,
        window_start=timezone.make_aware(datetime.datetime.combine(next_day, datetime.time(10))),
    )
    assert callbacks_due(user=eva) == [overdue]
    assert tomorrow in callbacks_due(
        user=eva, day=timezone.localdate() + datetime.timedelta(days=1)
    )


def test_api_create_list_close(api_as, queue, emitted):
    eva = queue.memberships.first().user
    api = api_as(eva)
    made = api.post(
        "/callbacks", json={"phone": "600112233", "reason": "Baja", "queue_id": queue.pk}
    )
    assert made.status_code == 201, made.content
    listed = api.get("/callbacks")
    assert [c["id"] for c in listed.json()["items"]] == [made.json()["id"]]
    with emitted() as events:
        closed = api.post(f"/callbacks/{made.json()['id']}/close", json={"outcome": "Llamado"})
    assert closed.json()["status"] == "done"
    assert events == [
        ("callback.closed", {"callback_id": made.json()["id"], "status": "done", "by": eva.pk})
    ]
    assert api.post(f"/callbacks/{made.json()['id']}/close", json={}).status_code == 409
    assert api.get("/callbacks?status=bogus").status_code == 422


def test_an_agent_sees_his_own_not_another_queues(api_as, queue):
    other = QueueFactory(name="Ventas")
    bob = UserFactory(username="bob", role=Role.SERVICE_AGENT)
    other.memberships.create(user=bob)
    theirs = callback_request_create(by=None, source="ivr", phone="600112233", queue_id=queue.pk)
    assert api_as(bob).get("/callbacks").json()["items"] == []
    assert api_as(bob).post(f"/callbacks/{theirs.pk}/close", json={}).status_code == 404
    admin = UserFactory(username="boss", role=Role.ADMIN)
    assert len(api_as(admin).get("/callbacks").json()["items"]) == 1


def test_overdue_callbacks_escalate_once_and_the_manager_is_mailed(smtp, queue, emitted):
    calendar = sla.calendar_save(by=None, name="Madrid", subdivision="MD")
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Atención",
            calendar=calendar,
            queue=queue,
            first_response_minutes=60,
            resolution_minutes=480,
            manager_email="jefa@example.com",
        ),
    )
    now = timezone.now()
    late = callback_request_create(
        by=None,
        source="webform",
        phone="600112233",
        name="Pedro",
        queue_id=queue.pk,
        window_start=now - datetime.timedelta(hours=2),
        window_end=now + datetime.timedelta(minutes=1),
    )
    on_time = callback_request_create(by=None, source="ivr", phone="600112234", queue_id=queue.pk)
    with emitted() as events:
        result = callback_sweep(now + datetime.timedelta(minutes=2))
    assert result == {"escalated": 1, "mails": 1}
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.escalated_at is not None and on_time.escalated_at is None
    assert events == [
        (
            "callback.escalated",
            {"callback_id": late.pk, "queue_id": queue.pk, "assigned_to_id": late.assigned_to_id},
        )
    ]
    (recipients, content) = smtp.messages[0]
    message = content.decode()
    assert recipients == ["jefa@example.com"]
    assert "not made in time" in message and "Pedro" in message and "+34600112233" in message
    assert callback_sweep(now + datetime.timedelta(minutes=3)) == {"escalated": 0, "mails": 0}


def test_the_task_runs_the_sweep(queue):
    result = callback_sweep_task.enqueue()
    assert result.return_value == {"escalated": 0, "mails": 0}


@pytest.fixture
def form(queue):
    return CallbackForm.objects.create(name="Web", queue=queue)


def submit(client, form, origin=None, **values):
    data = {"name": "Pedro", "phone": "611223344", "reason": "Factura", **values}
    headers = {"Accept": "application/json", **({"Origin": origin} if origin else {})}
    return client.post(f"/forms/callback/{form.token}/submit", data, headers=headers)


def test_the_public_form_queues_a_callback(client, form):
    response = submit(client, form, window_start=TOMORROW_16, window_end=TOMORROW_18)
    assert response.status_code == 201, response.content
    callback = CallbackRequest.objects.get()
    assert (callback.source, callback.queue, callback.name) == ("webform", form.queue, "Pedro")
    assert callback.assigned_to is not None


def test_the_form_refuses_a_wrong_token_a_bad_phone_and_drops_bots(client, form):
    assert client.post("/forms/callback/nope/submit", {"phone": "611223344"}).status_code == 404
    bad = submit(client, form, phone="12")
    assert bad.status_code == 422 and "phone" in bad.json()["errors"]
    assert submit(client, form, website="http://spam").status_code == 201
    assert not CallbackRequest.objects.exists()


def test_the_form_is_rate_limited(client, form, settings):
    settings.PANORAMA_WEBFORM_LIMIT = 2
    assert submit(client, form).status_code == 201
    assert submit(client, form).status_code == 201
    third = submit(client, form)
    assert third.status_code == 429 and third["Retry-After"]
    assert CallbackRequest.objects.count() == 2


def test_a_foreign_site_may_not_post_the_form(client, form):
    response = submit(client, form, origin="https://evil.example")
    assert response.status_code == 403
    assert not CallbackRequest.objects.exists()
    form.allowed_origins = "https://www.example.com"
    form.save()
    ok = submit(client, form, origin="https://www.example.com")
    assert ok.status_code == 201 and ok["Access-Control-Allow-Origin"] == "https://www.example.com"


def test_the_agenda_proposes_the_callbacks_due_and_flags_the_late_ones(client, queue):
    eva = queue.memberships.first().user
    now = timezone.now()
    late = callback_request_create(
        by=None,
        source="webform",
        phone="600112235",
        name="Pedro Sanz",
        assigned_to=eva,
        window_start=now - datetime.timedelta(hours=5),
        window_end=now + datetime.timedelta(hours=1),
    )
    # The window has passed since (a request cannot be made for a window already over).
    CallbackRequest.objects.filter(pk=late.pk).update(window_end=now - datetime.timedelta(hours=1))
    callback_request_create(
        by=None,
        source="ivr",
        phone="600112236",
        name="Next Week",
        assigned_to=eva,
        window_start=now + datetime.timedelta(days=7),
    )
    client.force_login(eva)
    page = client.get("/sales/agenda/").content.decode()
    assert "Call back Pedro Sanz" in page and f"/service/callbacks/{late.pk}/" in page
    assert "bi-telephone-forward text-danger" in page  # late
    assert "Next Week" not in page
    # Someone else's agenda does not show Eva's callbacks to a colleague who may not see them.
    assert "Pedro Sanz" not in client.get("/sales/agenda/?owner=999999").content.decode()
