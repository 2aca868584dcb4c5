"""A service contract's terms changed through one service, ``contract_update``: by the
API's PATCH and in place on the contracts list (its end moved later in place through
``contract_extend``). A bad value is refused with why (422) and nothing saved; a
cancelled contract is not changed (409); who may not manage contracts gets 403; a new
SLA policy recounts the open cases of the contract's period."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.service.models import ServiceContract, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.asset import contract_create
from panorama.service.services.case import case_open
from panorama.service.services.contract import contract_cancel
from panorama.service.services.contract_edit import contract_update

from ..factories import QueueFactory, UserFactory
from ..lists import cell_post
from .field_world import field_world

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def w():
    return field_world()


def _terms(contract: ServiceContract) -> tuple:
    contract.refresh_from_db()
    return (
        contract.name,
        contract.owner_id,
        contract.sla_policy_id,
        contract.visits_included,
        contract.renewal_notice_days,
    )


def test_terms_change_and_the_change_is_announced_and_on_the_timeline(w, emitted):
    with emitted() as events:
        contract_update(
            by=w.dispatcher,
            contract_id=w.contract.pk,
            changes={
                "name": "  Mantenimiento Platino ",
                "owner_id": w.tech.pk,
                "visits_included": 4,
                "renewal_notice_days": 60,
            },
        )
    assert _terms(w.contract) == ("Mantenimiento Platino", w.tech.pk, None, 4, 60)
    assert [e for e in events if e[0].startswith("contract.")] == [
        (
            "contract.updated",
            {
                "contract_id": w.contract.pk,
                "customer_id": w.customer.pk,
                "fields": ["name", "owner_id", "renewal_notice_days", "visits_included"],
                "cases_recounted": 0,
                "by": w.dispatcher.pk,
            },
        )
    ]
    note = w.customer.interactions.get(metadata__kind="contract")
    assert note.subject.startswith(f"Contract {w.contract.reference} changed: name, owner")
    # The same values again: nothing changes, nothing announced.
    with emitted() as events:
        contract_update(by=w.dispatcher, contract_id=w.contract.pk, changes={"visits_included": 4})
    assert events == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "A contract needs a name."),
        ({"name": "x" * 201}, "name", "200"),
        ({"visits_included": -1}, "visits_included", "Give a number of visits of 0 or more."),
        ({"visits_included": 2.5}, "visits_included", "Give a number of visits of 0 or more."),
        ({"visits_included": 1}, "visits_included", "2 visits were already used"),
        ({"hours_included": "-1"}, "hours_included", "Give a number of hours of 0 or more."),
        ({"hours_included": "1.005"}, "hours_included", "at most two decimals"),
        ({"renewal_notice_days": 400}, "renewal_notice_days", "from 0 to 365"),
        ({"renewal_notice_days": None}, "renewal_notice_days", "from 0 to 365"),
        ({"owner_id": 999999}, "owner_id", "User 999999 does not exist"),
        ({"sla_policy_id": 999999}, "sla_policy_id", "SLA policy 999999 does not exist"),
        ({"starts_on": "2020-01-01"}, "starts_on", "no field starts_on"),
    ],
)
def test_a_bad_value_is_refused_with_why_and_nothing_saved(w, emitted, changes, field, message):
    ServiceContract.objects.filter(pk=w.contract.pk).update(visits_used=2)
    before = _terms(w.contract)
    with emitted() as events, pytest.raises(ValidationFailed) as refused:
        contract_update(by=w.dispatcher, contract_id=w.contract.pk, changes=changes)
    assert refused.value.field == field
    assert message in str(refused.value.message)
    assert _terms(w.contract) == before
    assert events == []


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"name": "   "}, "name", "A contract needs a name."),
        ({"visits_included": 2.5}, "visits_included", "Give a number of visits of 0 or more."),
        ({"hours_included": "1.005"}, "hours_included", "at most two decimals"),
        ({"renewal_notice_days": 400}, "renewal_notice_days", "from 0 to 365"),
        ({"sla_policy_id": 999999}, "sla_policy_id", "SLA policy 999999 does not exist"),
    ],
)
def test_a_new_contract_is_held_to_the_same_terms_with_the_same_messages(w, terms, field, message):
    before = ServiceContract.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        contract_create(
            by=w.dispatcher,
            customer_id=w.customer.pk,
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            **{"name": "Mantenimiento", **terms},
        )
    assert refused.value.field == field
    assert message in str(refused.value.message)
    assert ServiceContract.objects.count() == before


def test_a_cancelled_contract_and_a_reader_are_refused(w):
    with pytest.raises(PermissionDenied):
        contract_update(
            by=UserFactory(username="ro", role=Role.ANALYST),
            contract_id=w.contract.pk,
            changes={"name": "Otro"},
        )
    contract_cancel(
        by=w.dispatcher, contract_id=w.contract.pk, on=timezone.localdate(), reason="Baja"
    )
    with pytest.raises(Conflict):
        contract_update(by=w.dispatcher, contract_id=w.contract.pk, changes={"name": "Otro"})
    assert _terms(w.contract)[0] == "Mantenimiento Oro"


def test_a_new_policy_recounts_the_open_cases_of_its_period(w, emitted):
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
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    case = case_open(
        by=agent, customer_id=w.customer.pk, subject="Fuga", queue_id=queue.pk, asset_id=w.asset.pk
    )
    assert case.sla_policy == general
    with emitted() as events:
        contract_update(
            by=w.dispatcher, contract_id=w.contract.pk, changes={"sla_policy_id": gold.pk}
        )
    case.refresh_from_db()
    assert case.sla_policy == gold
    assert [p["cases_recounted"] for n, p in events if n == "contract.updated"] == [1]
    assert case.messages.filter(kind="note", body__contains="another SLA policy").exists()
    # And back: without a policy the case gets the queue's again.
    contract_update(by=w.dispatcher, contract_id=w.contract.pk, changes={"sla_policy_id": None})
    case.refresh_from_db()
    assert case.sla_policy == general


def test_the_api_patches_the_given_terms_only(api_as, w):
    url = f"/service/contracts/{w.contract.pk}"
    api = api_as(w.dispatcher)
    changed = api.patch(url, json={"name": "Oro Plus", "hours_included": "6.5"})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["name"], body["hours_included"], body["visits_included"]) == (
        "Oro Plus",
        "6.50",
        2,
    )
    refused = api.patch(url, json={"name": ""})
    assert refused.status_code == 422 and refused.json()["detail"] == "A contract needs a name."
    bad_type = api.patch(url, json={"visits_included": "many"})
    assert bad_type.status_code == 422
    assert api.patch("/service/contracts/999999", json={"name": "X"}).status_code == 404
    reader = UserFactory(username="ro", role=Role.ANALYST)
    assert api_as(reader).patch(url, json={"name": "X"}).status_code == 403
    contract_cancel(
        by=w.dispatcher, contract_id=w.contract.pk, on=timezone.localdate(), reason="Baja"
    )
    conflict = api.patch(url, json={"name": "X"})
    assert conflict.status_code == 409 and "is cancelled" in conflict.json()["detail"]
    assert _terms(w.contract)[0] == "Oro Plus"


def test_the_api_documents_the_patch(client, w):
    client.force_login(w.dispatcher)
    schema = client.get("/api/v1/openapi.json").json()
    patch = schema["paths"]["/api/v1/service/contracts/{contract_id}"]["patch"]
    assert "200" in patch["responses"] and "409: cancelled" in patch["description"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {
        "name",
        "owner_id",
        "sla_policy_id",
        "visits_included",
        "hours_included",
        "renewal_notice_days",
    }


def test_the_list_edits_name_owner_and_visits_in_place(client, w, emitted):
    client.force_login(w.dispatcher)
    with emitted() as events:
        saved = cell_post(client, "service_contracts", w.contract.pk, "name", "Oro 2027")
    assert saved.status_code == 200 and "Oro 2027" in saved.content.decode()
    assert [n for n, _p in events if n.startswith("contract.")] == ["contract.updated"]
    saved = cell_post(client, "service_contracts", w.contract.pk, "owner", w.tech2.pk)
    assert saved.status_code == 200 and "Ana Vidal" in saved.content.decode()
    saved = cell_post(client, "service_contracts", w.contract.pk, "visits_included", "")
    assert saved.status_code == 200 and "Unlimited" in saved.content.decode()
    assert _terms(w.contract) == ("Oro 2027", w.tech2.pk, None, None, 30)
    refused = cell_post(client, "service_contracts", w.contract.pk, "name", " ")
    assert refused.status_code == 422 and "A contract needs a name." in refused.content.decode()
    assert _terms(w.contract)[0] == "Oro 2027"


def test_the_end_moves_later_in_place_and_never_earlier(client, w, emitted):
    client.force_login(w.dispatcher)
    later = w.contract.ends_on + 30 * DAY
    with emitted() as events:
        saved = cell_post(client, "service_contracts", w.contract.pk, "ends_on", later.isoformat())
    assert saved.status_code == 200
    assert [n for n, _p in events if n.startswith("contract.")] == ["contract.extended"]
    earlier = (w.contract.ends_on - DAY).isoformat()
    refused = cell_post(client, "service_contracts", w.contract.pk, "ends_on", earlier)
    assert refused.status_code == 422 and "give a later date" in refused.content.decode()
    empty = cell_post(client, "service_contracts", w.contract.pk, "ends_on", "")
    assert empty.status_code == 422 and "This field is required." in empty.content.decode()
    w.contract.refresh_from_db()
    assert w.contract.ends_on == later


def test_who_may_not_manage_contracts_gets_403_in_place(client, w):
    client.force_login(UserFactory(username="ro", role=Role.ANALYST))
    for column, value in [("name", "Otro"), ("ends_on", "2099-01-01"), ("visits_included", 9)]:
        refused = cell_post(client, "service_contracts", w.contract.pk, column, value)
        assert refused.status_code == 403
    assert _terms(w.contract)[0] == "Mantenimiento Oro"


def test_the_list_with_its_editable_columns_costs_the_same_queries_for_1_and_many(client, w):
    client.force_login(w.dispatcher)
    url = "/service/contracts/?cols=reference,name,ends_on,owner,sla_policy,visits_included"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    policy = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Oro",
            calendar=sla.calendar_save(by=None, name="Madrid", subdivision="MD"),
            queue=QueueFactory(name="VIP"),
            first_response_minutes=120,
            resolution_minutes=480,
        ),
    )
    today = timezone.localdate()
    for n in range(6):
        contract_create(
            by=None,
            customer_id=w.customer.pk,
            name=f"Contrato {n}",
            starts_on=today,
            ends_on=today + 90 * DAY,
            owner=w.tech,
            sla_policy_id=policy.pk,
        )
    many = queries()
    assert many == one
    html = client.get(url).content.decode()
    assert html.count(">Oro<") == 6  # each row's policy, in the rows' own query
