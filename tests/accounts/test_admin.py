"""The administration pages: custom fields, tokens, the audit log."""

import pytest

from panorama.accounts.models import ApiToken, Role
from panorama.accounts.services import api_token_create
from panorama.core.models import AuditEvent
from panorama.customers.models import CustomFieldDefinition
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_administrator_defines_a_custom_field_that_the_api_then_enforces(admin_client, api):
    add = "/admin/customers/customfielddefinition/add/"
    refused = admin_client.post(
        add,
        {"key": "segment", "label": "Segment", "type": "choice", "choices": "[]", "position": 0},
    )
    assert refused.status_code == 200  # the form again, with the reason
    assert "A choice field needs its choices" in refused.content.decode()
    assert not CustomFieldDefinition.objects.exists()

    created = admin_client.post(
        add,
        {
            "key": "segment",
            "label": "Segment",
            "type": "choice",
            "choices": '["gold", "silver"]',
            "searchable": "on",
            "active": "on",  # the admin's checkbox, ticked by default
            "position": 0,
        },
    )
    assert created.status_code == 302
    customer = CustomerFactory()
    bad = api.patch(f"/customers/{customer.pk}", json={"custom_fields": {"segment": "bronze"}})
    assert bad.status_code == 422
    good = api.patch(f"/customers/{customer.pk}", json={"custom_fields": {"segment": "gold"}})
    assert good.status_code == 200
    assert api.get("/customers?custom=segment:gold").json()["items"][0]["id"] == customer.pk


def test_a_token_revoked_in_the_admin_stops_working_and_is_audited(admin_client, admin_user):
    owner = UserFactory(role=Role.SALES_REP)
    token, key = api_token_create(user=owner, name="erp")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert admin_client.get("/api/v1/customers", **auth).status_code == 200

    page = admin_client.get("/admin/accounts/apitoken/").content.decode()
    assert token.prefix in page and token.key_hash not in page
    response = admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 token revoked." in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(kind="token_revoked", user=admin_user).exists()
    admin_client.logout()
    assert admin_client.get("/api/v1/customers", **auth).status_code == 401


def test_the_audit_log_is_readable_and_cannot_be_changed(admin_client, admin_user):
    event = AuditEvent.objects.create(kind="export", user=admin_user, username="admin")
    page = admin_client.get("/admin/core/auditevent/")
    assert page.status_code == 200 and "Export" in page.content.decode()
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    delete = admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_pages_are_closed_to_sales_reps(client):
    client.force_login(UserFactory(role=Role.SALES_REP))
    response = client.get("/admin/core/auditevent/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_team_cannot_be_placed_under_its_own_sub_team(admin_client):
    from panorama.accounts.models import Team

    sales = Team.objects.create(name="Ventas")
    north = Team.objects.create(name="Ventas Norte", parent=sales)

    refused = admin_client.post(
        f"/admin/accounts/team/{sales.pk}/change/", {"name": "Ventas", "parent": north.pk}
    )

    assert refused.status_code == 200  # the form again, with the error
    assert "cannot be placed under itself" in refused.content.decode()
    sales.refresh_from_db()
    assert sales.parent is None
