"""SLA policies that name a marketing segment: a case whose customer the segment holds
gets that policy before the ordinary ones (by rank among several), one outside gets the
ordinary one; a batch asks each segment once whatever the number of cases; an unknown
segment, or one out of the user's sight, is refused on ``segment_id``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.accounts.models import Role
from panorama.core.exceptions import ValidationFailed
from panorama.marketing.models import Segment
from panorama.service.models import Case, SlaPolicy
from panorama.service.services import setup as setup_services
from panorama.service.services import sla
from panorama.service.services.case import case_open
from panorama.service.services.setup import policy_set
from panorama.service.services.sla_recount import cases_recount

from ..factories import CustomerFactory, QueueFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SPANISH = {"field": "language", "op": "eq", "value": "es"}
FRENCH = {"field": "language", "op": "eq", "value": "fr"}


@pytest.fixture
def calendar():
    return sla.calendar_save(by=None, name="Madrid", subdivision="MD")


@pytest.fixture
def spanish(db):
    return Segment.objects.create(name="Hispanohablantes", rules=SPANISH)


def _policy(calendar, name: str, minutes: int, **criteria) -> SlaPolicy:
    return policy_set(
        by=None,
        changes={
            "name": name,
            "calendar_id": calendar.pk,
            "first_response_minutes": minutes,
            "resolution_minutes": minutes * 10,
            **criteria,
        },
    )


def test_a_customer_in_the_segment_gets_its_policy_and_one_outside_the_ordinary(calendar, spanish):
    ordinary = _policy(calendar, "Todos", 240)
    vip = _policy(calendar, "Hispanos", 30, segment_id=spanish.pk)
    agent = UserFactory(role=Role.SERVICE_AGENT)
    ana = CustomerFactory(language="es")
    john = CustomerFactory(language="en")
    inside = case_open(by=agent, customer_id=ana.pk, subject="Sin línea")
    outside = case_open(by=agent, customer_id=john.pk, subject="Sin línea")
    assert inside.sla_policy == vip and outside.sla_policy == ordinary
    # The segment policy also wins over a more specific ordinary one.
    queue = QueueFactory(name="Fibra")
    _policy(calendar, "Fibra", 120, queue_id=queue.pk, priority="high")
    case = Case(customer=ana, queue=queue, priority="high")
    assert sla.policy_for(case) == vip
    # Its other criteria still hold: kept to organisations, it no longer takes Ana.
    policy_set(by=None, policy=vip, changes={"segment": "organisation"})
    assert sla.policy_for(Case(customer=ana, priority="normal")) == ordinary


def test_the_lower_rank_decides_between_two_segment_policies_that_overlap(calendar, spanish):
    not_french = {"field": "language", "op": "ne", "value": "fr"}
    everyone = Segment.objects.create(name="No francófonos", rules=not_french)
    wide = _policy(calendar, "Amplia", 60, segment_id=everyone.pk, rank=50)
    narrow = _policy(calendar, "Hispanos", 30, segment_id=spanish.pk, rank=10)
    ana = Case(customer=CustomerFactory(language="es"), priority="normal")
    john = Case(customer=CustomerFactory(language="en"), priority="normal")
    assert (sla.policy_for(ana), sla.policy_for(john)) == (narrow, wide)
    policy_set(by=None, policy=wide, changes={"rank": 5})
    assert (sla.policy_for(ana), sla.policy_for(john)) == (wide, wide)
    # Same rank: the older policy first.
    policy_set(by=None, policy=narrow, changes={"rank": 5})
    assert sla.policy_for(ana) == wide


def test_a_batch_asks_each_segment_once_whatever_the_number_of_cases(calendar, spanish):
    _policy(calendar, "Todos", 240)
    french = Segment.objects.create(name="Francófonos", rules=FRENCH)
    hispanos = _policy(calendar, "Hispanos", 30, segment_id=spanish.pk, rank=1)
    francos = _policy(calendar, "Francos", 60, segment_id=french.pk, rank=2)
    languages = ["es", "fr", "en"]

    def recount(count: int) -> tuple[list[Case], int]:
        cases = []
        for n in range(count):
            case = Case.objects.create(
                customer=CustomerFactory(language=languages[n % 3]),
                subject=f"Avería {n}",
                status="open",
                priority="normal",
            )
            cases.append(case)
        # Opened before the segment policies counted: recounted now, they move.
        policies = list(SlaPolicy.objects.select_related("calendar"))
        with CaptureQueriesContext(connection) as ctx:
            cases_recount([c.pk for c in cases], policies=policies, reason="prueba")
        return cases, len(ctx)

    _one, one = recount(1)
    cases, thirty = recount(30)
    # Fixed per batch: the cases' read, each segment asked once, the writes.
    assert thirty == one
    got = {c.pk: c.sla_policy_id for c in Case.objects.filter(pk__in=[c.pk for c in cases])}
    by_language = {
        c.customer.language: got[c.pk] for c in Case.objects.filter(pk__in=[c.pk for c in cases])
    }
    assert by_language["es"] == hispanos.pk and by_language["fr"] == francos.pk
    assert by_language["en"] == SlaPolicy.objects.get(name="Todos").pk


def test_an_unknown_segment_is_refused_on_segment_id_and_nothing_is_written(
    calendar, spanish, api_as
):
    api = api_as(UserFactory(username="jefe", role=Role.ADMIN))
    policy = {
        "name": "Hispanos",
        "calendar_id": calendar.pk,
        "first_response_minutes": 30,
        "resolution_minutes": 300,
    }
    bad = api.post("/sla/policies", json={**policy, "segment_id": 999999})
    assert bad.status_code == 422 and "segment_id" in bad.json()["errors"]
    created = api.post("/sla/policies", json={**policy, "segment_id": spanish.pk, "rank": 7})
    assert created.status_code == 201, created.content
    assert (created.json()["segment_id"], created.json()["rank"]) == (spanish.pk, 7)
    policy_id = created.json()["id"]
    bad = api.patch(f"/sla/policies/{policy_id}", json={"segment_id": 999999})
    assert bad.status_code == 422 and "segment_id" in bad.json()["errors"]
    # Two ordinary policies may not overlap; a segment one overlaps them freely.
    ordinary = api.post("/sla/policies", json={**policy, "name": "Todos"})
    assert ordinary.status_code == 201, ordinary.content
    cleared = api.patch(f"/sla/policies/{policy_id}", json={"segment_id": None})
    assert cleared.status_code == 422 and "overlaps Todos" in cleared.json()["detail"]
    shown = {p["name"]: (p["segment_id"], p["rank"]) for p in api.get("/sla/policies").json()}
    assert shown == {"Hispanos": (spanish.pk, 7), "Todos": (None, 100)}


def test_a_segment_out_of_the_users_sight_is_refused_like_an_unknown_one(calendar, monkeypatch):
    # Every role that configures the service sees every segment today: the rule is
    # checked for a user kept to his team, the permission check lifted.
    monkeypatch.setattr(setup_services, "ensure_can", lambda *a, **k: None)
    monkeypatch.setattr(sla, "ensure_can", lambda *a, **k: None)
    hidden = Segment.objects.create(name="Ventas", rules=SPANISH, team=TeamFactory(name="Ventas"))
    rep = UserFactory(role=Role.SALES_REP)
    changes = {"name": "X", "calendar_id": calendar.pk, "first_response_minutes": 30}
    changes |= {"resolution_minutes": 300}
    with pytest.raises(ValidationFailed) as refused:
        policy_set(by=rep, changes={**changes, "segment_id": hidden.pk})
    assert refused.value.field == "segment_id"
    assert str(refused.value) == f"There is no segment {hidden.pk}."
    assert not SlaPolicy.objects.exists()


def test_the_settings_page_sets_a_segment_and_a_rank(calendar, spanish, client):
    client.force_login(UserFactory(role=Role.ADMIN))
    form = {
        "name": "Hispanos",
        "calendar_id": calendar.pk,
        "first_response_minutes": 30,
        "resolution_minutes": 300,
        "warn_minutes": 10,
        "segment_id": spanish.pk,
        "rank": 3,
        "active": "on",
    }
    answer = client.post("/service/settings/policies/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    policy = SlaPolicy.objects.get()
    assert (policy.marketing_segment, policy.rank) == (spanish, 3)
    page = client.get("/service/settings/").content.decode()
    assert "Segment Hispanohablantes, rank 3" in page
    edit = client.get(f"/service/settings/policies/{policy.pk}/edit/").content.decode()
    assert f'<option value="{spanish.pk}" selected>' in edit
    bad = client.post("/service/settings/policies/", {**form, "segment_id": 999999})
    assert bad.status_code == 422


def test_a_segment_an_sla_policy_names_cannot_be_deleted(calendar, spanish):
    from panorama.marketing.services.segments import segment_delete

    _policy(calendar, "Hispanos", 30, segment_id=spanish.pk)
    with pytest.raises(ValidationFailed, match="An SLA policy names the segment"):
        segment_delete(by=None, segment=spanish)
    assert Segment.objects.filter(pk=spanish.pk).exists()
