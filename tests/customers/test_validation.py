"""One validation: a value the model does not allow gets the same error on every path
(service, API, web form, import), and nothing is ever cut to fit."""

import datetime

import pytest
from django.urls import reverse

from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Address, Consent, Customer, Group, Identity
from panorama.customers.services import customer as customer_services
from panorama.customers.services import relations
from tests.factories import CustomerFactory, HoldingFactory

from .import_files import csv_bytes

pytestmark = pytest.mark.django_db

TOO_LONG_LAST = "G" * 151
LAST_NAME_ERROR = "Ensure this value has at most 150 characters (it has 151)."
CITY_ERROR = "Ensure this value has at most 100 characters (it has 101)."


def service_error(call) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value


# --- a customer's last name: service, API create and update, web form, import -----------


def test_a_too_long_last_name_gets_the_same_error_on_every_path(
    api, admin_user, client, tmp_path, settings
):
    # The service.
    error = service_error(
        lambda: customer_services.customer_create(
            data=customer_services.CustomerData(first_name="Ana", last_name=TOO_LONG_LAST),
            by=admin_user,
        )
    )
    assert (error.field, error.errors) == ("last_name", {"last_name": [LAST_NAME_ERROR]})
    detail = str(error.message)
    assert detail == f"Last name: {LAST_NAME_ERROR}"

    # The API, create and update.
    r = api.post("/customers", json={"first_name": "Ana", "last_name": TOO_LONG_LAST})
    assert r.status_code == 422
    assert r.json() == {
        "detail": detail,
        "code": "validation_error",
        "errors": {"last_name": [LAST_NAME_ERROR]},
    }
    ana = CustomerFactory(first_name="Ana", last_name="García")
    r = api.patch(f"/customers/{ana.pk}", json={"last_name": TOO_LONG_LAST})
    assert (r.status_code, r.json()["detail"]) == (422, detail)
    ana.refresh_from_db()
    assert ana.last_name == "García"

    # The web form: the message beside the field.
    client.force_login(admin_user)
    r = client.post(
        reverse("customers:create"),
        {"kind": "person", "first_name": "Ana", "last_name": TOO_LONG_LAST},
    )
    assert r.status_code == 422
    assert r.context["form"].errors == {"last_name": [LAST_NAME_ERROR]}

    # The import: the row is refused with the same words, not cut.
    from panorama.customers.imports.services.jobs import import_file_sync

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes([["Ana", TOO_LONG_LAST, "", "", "", "", "", ""]]))
    job = import_file_sync(path=path, by=admin_user)
    assert (job.created_count, job.rejected_count) == (0, 1)
    row_error = job.row_errors.get()
    assert (row_error.field, row_error.message) == ("Apellidos", detail)  # its column

    assert Customer.objects.count() == 1  # only Ana García, made above


def test_a_last_name_at_its_limit_is_kept_whole_everywhere(api, admin_user):
    longest = "G" * 150
    r = api.post("/customers", json={"first_name": "Ana", "last_name": longest})
    assert r.status_code == 201, r.content
    assert Customer.objects.get(pk=r.json()["id"]).last_name == longest


# --- an address: service, API, web form, import -----------------------------------------


def test_a_too_long_city_gets_the_same_error_on_every_path(
    api, admin_user, client, tmp_path, settings
):
    ana = CustomerFactory()
    city = "M" * 101
    error = service_error(
        lambda: customer_services.address_add(
            customer=ana,
            item=customer_services.AddressData(line1="Calle Mayor 1", city=city),
            by=admin_user,
        )
    )
    assert (error.field, str(error.message)) == ("city", f"City: {CITY_ERROR}")

    r = api.post(f"/customers/{ana.pk}/addresses", json={"line1": "Calle Mayor 1", "city": city})
    assert r.status_code == 422
    assert (r.json()["detail"], r.json()["errors"]) == (str(error.message), {"city": [CITY_ERROR]})

    client.force_login(admin_user)
    r = client.post(
        reverse("customers:create"),
        {"kind": "person", "first_name": "Ana", "line1": "Calle Mayor 1", "city": city},
    )
    assert r.status_code == 422
    assert r.context["form"].errors == {"city": [CITY_ERROR]}

    from panorama.customers.imports.services.jobs import import_file_sync

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes([["Eva", "Ruiz", "", "", "", "Calle Mayor 1", "28013", city]]))
    job = import_file_sync(path=path, by=admin_user)
    assert job.rejected_count == 1
    assert job.row_errors.get().message == str(error.message)

    assert not Address.objects.exists()


# --- the other records: service and API say the same, and nothing is cut ----------------


def test_a_too_long_identity_label_is_refused_not_cut(api, admin_user):
    ana = CustomerFactory()
    label = "L" * 41
    error = service_error(
        lambda: customer_services.identity_add(
            customer=ana,
            item=customer_services.IdentityData(kind="phone", value="600112233", label=label),
            by=admin_user,
        )
    )
    message = "Ensure this value has at most 40 characters (it has 41)."
    assert (error.field, str(error.message)) == ("label", f"Label: {message}")
    r = api.post(
        f"/customers/{ana.pk}/identities",
        json={"kind": "phone", "value": "600112233", "label": label},
    )
    assert (r.status_code, r.json()["detail"]) == (422, str(error.message))
    assert not Identity.objects.exists()


def test_a_too_long_group_name_is_refused_not_cut(api, admin_user):
    name = "F" * 201
    error = service_error(lambda: relations.group_create(name=name, kind="family", by=admin_user))
    message = "Ensure this value has at most 200 characters (it has 201)."
    assert (error.field, str(error.message)) == ("name", f"Name: {message}")
    r = api.post("/groups", json={"name": name, "kind": "family"})
    assert (r.status_code, r.json()["detail"]) == (422, str(error.message))
    assert not Group.objects.exists()


def test_a_too_long_consent_source_is_refused_not_cut(api, admin_user):
    ana = CustomerFactory()
    source = "S" * 101
    error = service_error(
        lambda: relations.consent_record(
            customer=ana, purpose="marketing", granted=True, source=source, by=admin_user
        )
    )
    assert error.field == "source"
    r = api.post(
        f"/customers/{ana.pk}/consents",
        json={"purpose": "marketing", "granted": True, "source": source},
    )
    assert (r.status_code, r.json()["detail"]) == (422, str(error.message))
    assert not Consent.objects.exists()


def test_a_too_long_interaction_subject_is_refused_not_cut(api, admin_user, client):
    ana = CustomerFactory()
    subject = "A" * 201
    error = service_error(
        lambda: interaction_record(
            customer_id=ana.pk, by=admin_user, channel="phone", direction="inbound", subject=subject
        )
    )
    message = "Ensure this value has at most 200 characters (it has 201)."
    assert (error.field, str(error.message)) == ("subject", f"Subject: {message}")
    r = api.post(
        f"/customers/{ana.pk}/interactions",
        json={"channel": "phone", "direction": "inbound", "subject": subject},
    )
    assert (r.status_code, r.json()["detail"]) == (422, str(error.message))
    client.force_login(admin_user)
    r = client.post(
        f"/channels/customers/{ana.pk}/interactions/",
        {"channel": "phone", "direction": "inbound", "subject": subject},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert r.context["interaction_form"].errors == {"subject": [message]}
    assert not Interaction.objects.exists()


def test_holdings_and_incidents_follow_their_model_too(api, admin_user):
    ana = CustomerFactory()
    r = api.post(
        f"/customers/{ana.pk}/holdings",
        json={
            "product_code": "P" * 51,
            "product_name": "Hipoteca",
            "start_date": "2024-01-01",
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "product_code": ["Ensure this value has at most 50 characters (it has 51)."]
    }
    r = api.post(
        f"/customers/{ana.pk}/billing-incidents",
        json={"kind": "unpaid_invoice", "reference": "R" * 61, "amount": "10"},
    )
    assert (r.status_code, list(r.json()["errors"])) == (422, ["reference"])
    r = api.post(
        f"/customers/{ana.pk}/billing-incidents",
        json={"kind": "unpaid_invoice", "reference": "", "amount": "10"},
    )
    assert r.json()["errors"] == {"reference": ["This field cannot be blank."]}
    r = api.post(
        f"/customers/{ana.pk}/billing-incidents",
        json={"kind": "unpaid_invoice", "reference": "INV-1", "amount": "12345678901234"},
    )
    assert (r.status_code, list(r.json()["errors"])) == (422, ["amount"])
    error = service_error(
        lambda: relations.holding_add(
            customer=ana,
            product_code="P1",
            product_name="Hipoteca",
            start_date=datetime.date(2024, 1, 1),
            status="sleeping",
            by=admin_user,
        )
    )
    assert str(error.message) == "Status: Value 'sleeping' is not a valid choice."
    assert HoldingFactory._meta.model.objects.count() == 0


def test_an_unknown_choice_is_named_with_the_field(admin_user):
    error = service_error(
        lambda: customer_services.customer_create(
            data=customer_services.CustomerData(kind="robot", first_name="R2"), by=admin_user
        )
    )
    assert (error.field, str(error.message)) == (
        "kind",
        "Kind: Value 'robot' is not a valid choice.",
    )


def test_errors_are_in_the_users_language(api, admin_user):
    admin_user.language = "es"
    admin_user.save()
    r = api.post("/customers", json={"first_name": "Ana", "last_name": TOO_LONG_LAST})
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "Apellidos: Asegúrese de que este valor tenga menos de 150 caracteres (tiene 151)."
    )
