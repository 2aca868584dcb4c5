"""Taking a customer out of a group and resolving a billing incident, from the API and
from the ficha's buttons: scoped, permission-checked, recorded as events."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.customers.models import BillingIncident, GroupMembership
from tests.factories import (
    BillingIncidentFactory,
    CustomerFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(db):
    group = GroupFactory(name="Familia García")
    ana = MembershipFactory(group=group, customer=CustomerFactory(first_name="Ana")).customer
    luis = MembershipFactory(group=group, customer=CustomerFactory(first_name="Luis")).customer
    return group, ana, luis


# --- API -------------------------------------------------------------------------------


def test_api_takes_a_member_out_of_a_group_and_leaves_the_others(api, family, emitted):
    group, ana, luis = family
    with emitted() as events:
        r = api.delete(f"/groups/{group.pk}/members/{ana.pk}")
    assert r.status_code == 204
    members = api.get(f"/groups/{group.pk}").json()["members"]
    assert [m["customer_id"] for m in members] == [luis.pk]
    assert [name for name, _payload in events] == ["group.member_removed"]
    again = api.delete(f"/groups/{group.pk}/members/{ana.pk}")
    assert again.status_code == 404


def test_api_resolves_an_incident_once(api, emitted):
    incident = BillingIncidentFactory()
    url = f"/customers/{incident.customer_id}/billing-incidents/{incident.pk}/resolve"
    with emitted() as events:
        r = api.post(url)
        again = api.post(url)
    assert r.status_code == 200
    assert r.json()["status"] == "resolved" and r.json()["resolved_at"]
    assert again.status_code == 200 and again.json()["resolved_at"] == r.json()["resolved_at"]
    assert [name for name, _payload in events] == ["billing.incident_resolved"]


def test_api_404s_an_incident_of_another_customer_or_out_of_scope(api, api_as, team):
    incident = BillingIncidentFactory()
    other = CustomerFactory()
    r = api.post(f"/customers/{other.pk}/billing-incidents/{incident.pk}/resolve")
    assert r.status_code == 404
    rep = UserFactory(username="rep2", role=Role.SALES_REP, teams=[team])
    r = api_as(rep).post(
        f"/customers/{incident.customer_id}/billing-incidents/{incident.pk}/resolve"
    )
    assert r.status_code == 404
    incident.refresh_from_db()
    assert incident.status == "open"


def test_an_analyst_can_neither_resolve_nor_remove(api_as, family):
    group, ana, _luis = family
    incident = BillingIncidentFactory(customer=ana)
    analyst = api_as(UserFactory(username="analyst", role=Role.ANALYST))
    r = analyst.post(f"/customers/{ana.pk}/billing-incidents/{incident.pk}/resolve")
    assert r.status_code == 403
    r = analyst.delete(f"/groups/{group.pk}/members/{ana.pk}")
    assert r.status_code == 403
    assert GroupMembership.objects.filter(group=group).count() == 2
    assert BillingIncident.objects.get().status == "open"


# --- the ficha's buttons ------------------------------------------------------------------


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


def test_the_ficha_removes_a_member_with_its_button(client, agent, family):
    group, ana, luis = family
    client.force_login(agent)
    url = reverse("customers:group_member_remove", args=[ana.pk, group.pk])
    page = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    assert url in page and "Remove from group" in page
    r = client.post(url, follow=True)
    assert r.redirect_chain[-1][0] == reverse("customers:detail", args=[ana.pk])
    assert "is no longer in Familia García" in r.content.decode()
    assert list(GroupMembership.objects.values_list("customer_id", flat=True)) == [luis.pk]
    assert client.get(url).status_code == 405  # a link never removes anyone


def test_the_ficha_resolves_an_open_incident_with_its_button(client, agent):
    incident = BillingIncidentFactory(reference="INV-00042")
    client.force_login(agent)
    url = reverse("customers:billing_incident_resolve", args=[incident.customer_id, incident.pk])
    detail = reverse("customers:detail", args=[incident.customer_id])
    assert url in client.get(detail).content.decode()
    r = client.post(url, follow=True)
    assert "Billing incident INV-00042 resolved." in r.content.decode()
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert url not in client.get(detail).content.decode()  # no button on a resolved one


def test_a_read_only_user_sees_no_buttons_and_is_refused(client, family):
    group, ana, _luis = family
    incident = BillingIncidentFactory(customer=ana)
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    page = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    assert "Remove from group" not in page and "Resolve" not in page
    r = client.post(reverse("customers:billing_incident_resolve", args=[ana.pk, incident.pk]))
    assert r.status_code == 403
    assert BillingIncident.objects.get().status == "open"
