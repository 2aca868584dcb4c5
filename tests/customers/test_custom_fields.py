"""Custom fields of every type: what is stored for a value, and the error a wrong one
gets (Django's own message for the type, in the user's language), on every path."""

import datetime

import pytest
from django.utils import translation

from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Customer
from panorama.customers.services.custom_fields import custom_fields_clean
from panorama.customers.services.customer import CustomerData, customer_create, customer_update
from tests.factories import CustomerFactory, CustomFieldDefinitionFactory

from .import_files import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(db):
    CustomFieldDefinitionFactory(key="employees", label="Employees", type="integer")
    CustomFieldDefinitionFactory(key="revenue", label="Revenue", type="decimal")
    CustomFieldDefinitionFactory(key="since", label="Client since", type="date")
    CustomFieldDefinitionFactory(key="vip", label="VIP", type="boolean")
    CustomFieldDefinitionFactory(
        key="segment", label="Segment", type="choice", choices=["gold", "silver"]
    )
    CustomFieldDefinitionFactory(key="sector", label="Sector", type="text")


@pytest.mark.parametrize(
    "key, given, stored",
    [
        ("employees", "12", 12),
        ("employees", 12, 12),
        ("employees", " 7 ", 7),
        ("revenue", "1234.50", "1234.50"),
        ("revenue", 3, "3"),
        ("since", "2024-02-29", "2024-02-29"),
        ("since", datetime.date(2020, 1, 31), "2020-01-31"),
        ("vip", True, True),
        ("vip", "sí", True),
        ("vip", "X", True),
        ("vip", "no", False),
        ("vip", "0", False),
        ("segment", "gold", "gold"),
        ("sector", "  Banca  ", "Banca"),
    ],
)
def test_a_good_value_is_stored_as_its_type(fields, key, given, stored):
    assert custom_fields_clean({key: given}) == {key: stored}


@pytest.mark.parametrize(
    "key, given, message",
    [
        ("employees", "doce", "Enter a whole number."),
        ("employees", "12.5", "Enter a whole number."),
        ("employees", True, "Enter a whole number."),
        ("revenue", "mucho", "Enter a number."),
        ("revenue", "NaN", "Enter a number."),
        ("since", "31/01/2024", "Enter a valid date."),
        ("since", "2023-02-29", "Enter a valid date."),
        ("vip", "maybe", "Give yes or no (yes, no, true, false, 1, 0)."),
        (
            "segment",
            "bronze",
            "Select a valid choice. bronze is not one of the available choices.",
        ),
        ("sector", "x" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
        ("sector", {"a": 1}, "Invalid value."),
    ],
)
def test_a_wrong_value_is_refused_with_the_types_message(fields, key, given, message):
    with pytest.raises(ValidationFailed) as caught:
        custom_fields_clean({key: given})
    error = caught.value
    assert (error.field, error.errors) == (key, {key: [message]})
    assert str(error.message).endswith(f": {message}")


def test_an_empty_value_removes_the_field(fields):
    customer = CustomerFactory(custom_fields={"sector": "Banca", "vip": True})
    customer_update(customer=customer, by=None, changes={"custom_fields": {"sector": " "}})
    customer.refresh_from_db()
    assert customer.custom_fields == {"vip": True}


def test_a_required_field_must_be_given_on_create_but_not_on_every_update():
    CustomFieldDefinitionFactory(key="segment", label="Segment", type="choice", choices=["gold"])
    CustomFieldDefinitionFactory(key="branch", label="Branch", type="text", required=True)
    with pytest.raises(ValidationFailed) as caught:
        customer_create(data=CustomerData(first_name="Ana"), by=None)
    assert str(caught.value.message) == "Branch: This field is required."
    with pytest.raises(ValidationFailed):
        customer_create(data=CustomerData(first_name="Ana", custom_fields={"branch": ""}), by=None)
    ana = customer_create(
        data=CustomerData(first_name="Ana", custom_fields={"branch": "Sol"}), by=None
    )
    customer_update(customer=ana, by=None, changes={"custom_fields": {"segment": "gold"}})
    ana.refresh_from_db()
    assert ana.custom_fields == {"branch": "Sol", "segment": "gold"}
    with pytest.raises(ValidationFailed):  # but it cannot be emptied
        customer_update(customer=ana, by=None, changes={"custom_fields": {"branch": ""}})


def test_the_message_is_in_the_users_language(fields):
    with translation.override("es"), pytest.raises(ValidationFailed) as caught:
        custom_fields_clean({"employees": "doce"})
    assert caught.value.errors == {"employees": ["Introduzca un número entero."]}


def test_api_and_import_give_the_same_error(fields, api, admin_user, tmp_path, settings):
    r = api.post("/customers", json={"first_name": "Ana", "custom_fields": {"since": "ayer"}})
    assert r.status_code == 422
    assert r.json()["detail"] == "Client since: Enter a valid date."
    assert r.json()["errors"] == {"since": ["Enter a valid date."]}

    from panorama.customers.imports.services.jobs import import_file_sync

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    path.write_bytes(
        csv_bytes([["Ana", "ana@example.com", "ayer"]], header=["Nombre", "Email", "Alta"])
    )
    job = import_file_sync(
        path=path,
        by=admin_user,
        mapping={"Nombre": "first_name", "Email": "email", "Alta": "cf:since"},
    )
    assert job.rejected_count == 1
    assert job.row_errors.get().message == "Client since: Enter a valid date."
    assert not Customer.objects.exists()
