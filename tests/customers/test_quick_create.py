"""Quick create (issue 14, point 8): the new-customer form in a dialog of any page, the
same form, duplicate warning and service as the page."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_dialog_gets_the_form_alone(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("customers:create") + "?modal=1", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'name="first_name"' in html
    assert 'hx-post="/customers/new/"' in html and "Open the full form" in html


def test_a_lookalike_is_shown_in_the_dialog_before_anything_is_saved(client, admin_user):
    existing = CustomerFactory(first_name="Lucía", last_name="Gómez Ruiz")
    IdentityFactory(customer=existing, kind="phone", value="+34600112233")
    client.force_login(admin_user)
    form = {
        "modal": "1",
        "kind": "person",
        "first_name": "Lucia",
        "last_name": "Gomez",
        "phone": "600 11 22 33",
    }

    response = client.post(reverse("customers:create"), form, headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and "look like the one you are creating" in html
    assert f'href="/customers/{existing.pk}/"' in html
    assert Customer.objects.count() == 1

    confirmed = client.post(reverse("customers:create"), {**form, "confirm_new": "1"}, headers=HTMX)
    created = Customer.objects.exclude(pk=existing.pk).get()
    assert confirmed["HX-Redirect"] == f"/customers/{created.pk}/"


def test_a_bad_value_comes_back_in_the_dialog_with_its_field(client, admin_user):
    client.force_login(admin_user)
    form = {
        "modal": "1",
        "kind": "person",
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "not-an-email",
    }
    response = client.post(reverse("customers:create"), form, headers=HTMX)
    assert response.status_code == 422
    assert "<html" not in response.content.decode()
    assert Customer.objects.count() == 0


def test_users_who_may_not_create_get_no_button(client, db):
    client.force_login(UserFactory(role=Role.ANALYST))
    html = client.get(reverse("customers:list")).content.decode()
    assert "data-pn-quick-create-open" not in html and 'id="pn-quick-create"' not in html
