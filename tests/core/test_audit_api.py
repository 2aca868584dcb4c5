"""GET /api/v1/audit: the audit log for administrators and auditors, filtered and
paged by keyset, newest first; read only."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.models import AuditEvent
from panorama.core.services import audit_record

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(admin_user, rep):
    AuditEvent.objects.all().delete()  # the API clients' own token_created lines
    audit_record(kind="login", user=rep)
    audit_record(kind="export", user=rep, file="clientes.csv")
    audit_record(kind="user_changed", user=admin_user, target="rep", role=["a", "b"])


def test_an_administrator_reads_the_log_newest_first_by_keyset(api, log):
    AuditEvent.objects.exclude(kind__in=["login", "export", "user_changed"]).delete()
    first = api.get("/audit?limit=2").json()
    assert [e["kind"] for e in first["items"]] == ["user_changed", "export"]
    assert first["items"][0]["detail"]["target"] == "rep"
    rest = api.get(f"/audit?limit=2&cursor={first['next_cursor']}").json()
    assert [e["kind"] for e in rest["items"]] == ["login"] and rest["next_cursor"] is None


def test_filters_by_kind_username_and_period(api, log):
    assert [e["kind"] for e in api.get("/audit?kind=export").json()["items"]] == ["export"]
    kinds = {e["kind"] for e in api.get("/audit?username=re").json()["items"]}
    assert kinds == {"login", "export"}
    AuditEvent.objects.filter(kind="login").update(at=timezone.now() - datetime.timedelta(days=3))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    recent = api.get("/audit", data={"since": since, "username": "rep"}).json()["items"]
    assert [e["kind"] for e in recent] == ["export"]
    older = api.get("/audit", data={"until": since, "username": "rep"}).json()["items"]
    assert [e["kind"] for e in older] == ["login"]
    assert api.get("/audit?kind=nonsense").status_code == 422


def test_an_auditor_reads_it_a_rep_does_not(api_as, rep, log):
    assert api_as(rep).get("/audit").status_code == 403
    auditor = UserFactory(username="auditor", role=Role.ANALYST, is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    r = api_as(auditor).get("/audit?kind=export")
    assert r.status_code == 200 and len(r.json()["items"]) == 1


def test_the_list_costs_the_same_queries_whatever_its_length(
    api, log, admin_user, django_assert_num_queries
):
    api.get("/audit")
    for _n in range(5):
        audit_record(kind="login", user=admin_user)
    with django_assert_num_queries(2):  # the token, the page
        api.get("/audit")
