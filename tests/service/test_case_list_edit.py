"""Cells of the case and opportunity lists edited in place (core/lists Edit): through the
services of their pages (case_update, case_assign; opportunity_update, opportunity_move),
refused with their message (422), read-only roles refused (403), nothing outside the
user's scope (404)."""

import pytest

from panorama.accounts.models import Role
from panorama.sales.models import Opportunity
from panorama.sales.services.opportunity import opportunity_create
from panorama.service.models import Case
from panorama.service.services.case import case_open

from ..factories import CustomerFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _cell(kind, pk, column):
    return f"/ui/lists/{kind}/{pk}/{column}/"


def test_a_case_priority_and_owner_are_edited_in_place(client, admin_user, emitted):
    agent = UserFactory(username="agent", first_name="Elena", role=Role.SERVICE_AGENT)
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="Router")
    client.force_login(admin_user)
    html = client.get("/service/cases/").content.decode()
    assert f'hx-get="{_cell("cases", case.pk, "priority")}?edit=1"' in html
    editor = client.get(_cell("cases", case.pk, "priority") + "?edit=1", headers=HTMX)
    assert 'aria-label="Priority"' in editor.content.decode()
    with emitted() as events:
        response = client.post(
            _cell("cases", case.pk, "priority"), {"value": "urgent"}, headers=HTMX
        )
    assert response.status_code == 200 and "Urgent" in response.content.decode()
    assert Case.objects.get(pk=case.pk).priority == "urgent"
    assert "case.updated" in [name for name, _payload in events]
    response = client.post(_cell("cases", case.pk, "owner"), {"value": agent.pk}, headers=HTMX)
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).owner == agent
    # Bad input: the form's field refuses it, in place, the value kept shown.
    response = client.post(_cell("cases", case.pk, "priority"), {"value": "asap"}, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html and "data-pn-cell-saved" in html and "Urgent" in html
    assert Case.objects.get(pk=case.pk).priority == "urgent"


def test_read_only_roles_and_other_scopes_are_refused(client):
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="Router")
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    response = client.post(_cell("cases", case.pk, "priority"), {"value": "urgent"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).priority == "normal"
    # A rep sees only his book of business: an opportunity of another's is not found.
    owner = UserFactory(username="owner", role=Role.SALES_REP)
    pipeline_with_stages()
    customer = CustomerFactory(owner=owner)
    opportunity = opportunity_create(by=owner, customer_id=customer.pk, name="Fibra", amount=10)
    client.force_login(UserFactory(username="rep", role=Role.SALES_REP))
    response = client.post(_cell("opportunities", opportunity.pk, "amount"), {"value": "99"})
    assert response.status_code == 404
    assert Opportunity.objects.get(pk=opportunity.pk).amount == 10


def test_an_opportunity_amount_date_and_stage_through_their_services(client):
    rep = UserFactory(username="rep", role=Role.SALES_REP)
    pipeline_with_stages()
    customer = CustomerFactory(owner=rep)
    opportunity = opportunity_create(by=rep, customer_id=customer.pk, name="Fibra", amount=10)
    client.force_login(rep)
    url = _cell("opportunities", opportunity.pk, "amount")
    assert client.post(url, {"value": "1500.50"}, headers=HTMX).status_code == 200
    assert client.post(url, {"value": "-3"}, headers=HTMX).status_code == 422
    date_url = _cell("opportunities", opportunity.pk, "expected_close")
    assert client.post(date_url, {"value": "2030-01-31"}, headers=HTMX).status_code == 200
    stage_url = _cell("opportunities", opportunity.pk, "stage")
    lost = opportunity.pipeline.stages.get(name="Lost")
    response = client.post(stage_url, {"value": lost.pk}, headers=HTMX)
    assert response.status_code == 422  # a lost stage needs its reason: the board's dialog
    opportunity.refresh_from_db()
    assert (str(opportunity.amount), str(opportunity.expected_close)) == ("1500.50", "2030-01-31")
    assert opportunity.stage.name == "Qualify"
