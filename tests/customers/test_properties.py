"""The ficha's properties edited in place (customers/properties.py, core/inline.py): each
saved through the service the edit form and the API call, with the same messages, in
the user's scope and role; a save sends the ficha's head and field history again."""

import pytest

from panorama.accounts.models import Role
from panorama.core.models import FieldChange
from panorama.customers.models import Customer, Identity
from tests.factories import (
    CustomerFactory,
    CustomFieldDefinitionFactory,
    IdentityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def lucia(db):
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez", status="prospect")
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com", is_primary=True)
    return customer


def _url(customer, key):
    return f"/customers/{customer.pk}/properties/{key}/"


def test_the_ficha_shows_its_properties_as_buttons_to_who_may_edit(client, agent, lucia):
    client.force_login(agent)
    html = client.get(f"/customers/{lucia.pk}/").content.decode()
    assert f'hx-get="{_url(lucia, "first_name")}?edit=1"' in html
    assert f'hx-get="{_url(lucia, "email")}?edit=1"' in html
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    html = client.get(f"/customers/{lucia.pk}/").content.decode()
    assert "lucia@example.com" in html
    assert _url(lucia, "first_name") not in html


def test_a_name_saved_in_place_is_in_the_history_and_the_head(client, agent, lucia, emitted):
    client.force_login(agent)
    editor = client.get(_url(lucia, "first_name") + "?edit=1", headers=HTMX)
    assert editor.status_code == 200
    assert 'value="Lucía"' in editor.content.decode()
    with emitted() as events:
        response = client.post(_url(lucia, "first_name"), {"value": " Lucinda "}, headers=HTMX)
    assert response.status_code == 200
    lucia.refresh_from_db()
    assert lucia.first_name == "Lucinda"
    html = response.content.decode()
    assert "Lucinda" in html
    # The head (the name) and the field history come along, out of band.
    assert 'id="ficha-header"' in html and 'hx-swap-oob="true"' in html
    assert 'id="ficha-field-history"' in html and "Lucía" in html
    assert FieldChange.objects.filter(customer_id=lucia.pk, field="first_name").exists()
    assert [name for name, _payload in events] == ["customer.updated"]


def test_a_custom_field_saved_in_place_redraws_the_more_data_card(client, agent, lucia):
    CustomFieldDefinitionFactory(key="employees", label="Employees", type="integer")
    CustomFieldDefinitionFactory(key="old_code", label="Old code", active=False)
    lucia.custom_fields = {"old_code": "X-17"}
    lucia.save(update_fields=["custom_fields"])
    client.force_login(agent)
    response = client.post(_url(lucia, "cf_employees"), {"value": "12"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    card = html[html.index('<div id="ficha-more-data" hx-swap-oob="true">') :]
    card = card[: card.index("</section>")]
    assert "Employees" in card and "12" in card
    assert "X-17" not in card  # an inactive field's value is kept, not shown


def test_a_refused_value_comes_back_with_the_services_message_and_nothing_changes(
    client, agent, lucia
):
    CustomFieldDefinitionFactory(key="employees", label="Employees", type="integer")
    client.force_login(agent)
    response = client.post(_url(lucia, "cf_employees"), {"value": "many"}, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html and 'value="many"' in html  # what was typed is kept
    lucia.refresh_from_db()
    assert "employees" not in lucia.custom_fields
    # A bad choice is refused by the form's own field, the same way.
    response = client.post(_url(lucia, "status"), {"value": "sleeping"}, headers=HTMX)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    lucia.refresh_from_db()
    assert lucia.status == "prospect"


def test_the_main_email_is_replaced_and_a_malformed_one_refused(client, agent, lucia):
    client.force_login(agent)
    response = client.post(_url(lucia, "email"), {"value": "lucia@gomez.es"}, headers=HTMX)
    assert response.status_code == 200
    emails = list(Identity.objects.filter(customer=lucia, kind="email"))
    assert [(i.value, i.is_primary) for i in emails] == [("lucia@gomez.es", True)]
    response = client.post(_url(lucia, "email"), {"value": "not an address"}, headers=HTMX)
    assert response.status_code == 422
    assert Identity.objects.get(customer=lucia, kind="email").value == "lucia@gomez.es"
    response = client.post(_url(lucia, "phone"), {"value": "600 11 22 33"}, headers=HTMX)
    assert response.status_code == 200
    assert Identity.objects.get(customer=lucia, kind="phone").value == "+34600112233"
    # Emptied: the main e-mail is removed.
    assert client.post(_url(lucia, "email"), {"value": ""}, headers=HTMX).status_code == 200
    assert not Identity.objects.filter(customer=lucia, kind="email").exists()


def test_who_may_not_edit_or_see_is_refused(client, lucia):
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    assert client.get(_url(lucia, "first_name") + "?edit=1").status_code == 403
    assert client.post(_url(lucia, "first_name"), {"value": "X"}).status_code == 403
    # A rep sees his own customers only: another's is not found.
    client.force_login(UserFactory(username="rep", role=Role.SALES_REP))
    assert client.post(_url(lucia, "first_name"), {"value": "X"}).status_code == 404
    lucia.refresh_from_db()
    assert lucia.first_name == "Lucía"
    client.force_login(UserFactory(username="agent2", role=Role.SERVICE_AGENT))
    assert client.get(_url(lucia, "nonsense")).status_code == 404
    assert Customer.objects.get(pk=lucia.pk).first_name == "Lucía"
