"""The Spanish translation: complete, and what a Spanish-speaking user actually gets."""

import re
from pathlib import Path

import pytest
from django.utils import translation

import panorama
from panorama.accounts.models import Role
from panorama.customers.history import customer_field_history
from panorama.customers.imports.services.jobs import import_file_sync
from panorama.customers.models import Customer
from panorama.customers.services.customer import IdentityData, customer_update, identity_add
from tests.customers.import_files import ROWS_ES, csv_bytes
from tests.factories import CustomerFactory, HoldingFactory, IdentityFactory, UserFactory

PO_FILE = Path(panorama.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%%")


def _po_entries(text: str) -> list[dict]:
    """Each entry of a .po file as {"flags": [...], "msgid": ..., "msgstr": [...]}."""
    entries = []
    for block in text.strip().split("\n\n"):
        entry: dict = {"flags": [], "msgid": "", "msgid_plural": "", "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = line[1:-1]
                if key == "msgstr":
                    entry["msgstr"][-1] += value
                else:
                    entry[key] += value
            else:
                key, _space, value = line.partition(" ")
                if key.startswith("msgstr"):
                    key = "msgstr"
                    entry["msgstr"].append(value[1:-1])
                else:
                    entry[key] = value[1:-1]
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def spanish_entries():
    entries = _po_entries(PO_FILE.read_text(encoding="utf-8"))
    header, *messages = entries
    assert header["msgid"] == ""
    return header, messages


def test_every_spanish_message_is_translated_and_none_is_fuzzy(spanish_entries):
    header, messages = spanish_entries
    assert len(messages) > 400
    untranslated = [m["msgid"] for m in messages if not all(m["msgstr"])]
    fuzzy = [m["msgid"] for m in messages if "fuzzy" in m["flags"]]
    assert untranslated == []
    assert fuzzy == []
    assert "fuzzy" not in header["flags"]
    assert r"Language: es\n" in header["msgstr"][0]
    assert r"Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"][0]


def test_spanish_messages_keep_their_placeholders_and_plural_forms(spanish_entries):
    _header, messages = spanish_entries
    for message in messages:
        expected = sorted(PLACEHOLDER.findall(message["msgid"] + message["msgid_plural"]))
        if message["msgid_plural"]:
            assert len(message["msgstr"]) == 2, message["msgid"]
            # Each form may drop the count (singular), not rename or add a placeholder.
            found = sorted(PLACEHOLDER.findall("".join(message["msgstr"])))
            assert set(found) == set(expected), message["msgid"]
        else:
            assert sorted(PLACEHOLDER.findall(message["msgstr"][0])) == expected, message["msgid"]


# --- what a Spanish-speaking user sees --------------------------------------------------


@pytest.fixture
def spanish_agent(db):
    return UserFactory(username="agente", role=Role.SERVICE_AGENT, language="es")


@pytest.fixture
def signed_in_es(client, spanish_agent):
    client.force_login(spanish_agent)
    return client


def test_the_customer_list_is_in_spanish_for_a_user_who_chose_spanish(signed_in_es):
    CustomerFactory(first_name="Lucía", last_name="Gómez", status=Customer.Status.INACTIVE)
    html = signed_in_es.get("/customers/", headers={"accept-language": "en"}).content.decode()

    assert '<html lang="es">' in html
    for spanish in ["Clientes", "Nuevo cliente", "Gestor", "Cerrar sesión", "Persona", "Inactivo"]:
        assert spanish in html, spanish
    for english in ["New customer", "Account manager", "Sign out", ">Person<", "Inactive"]:
        assert english not in html, english


def test_the_ficha_and_its_field_history_are_in_spanish(signed_in_es, spanish_agent):
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez")
    IdentityFactory(customer=customer, kind="phone", value="+34600112233")
    HoldingFactory(customer=customer)
    customer_update(customer=customer, by=spanish_agent, changes={"status": "inactive"})
    identity_add(customer=customer, item=IdentityData(kind="pin", value="1234"), by=spanish_agent)

    html = signed_in_es.get(f"/customers/{customer.pk}/").content.decode()

    for spanish in [
        "Identificadores y contacto",
        "Productos y servicios contratados",
        "Historial de cambios",
        "Cronología",
        '<td class="text-nowrap">Estado</td>',
        '<td class="change">Activo</td>',
        '<td class="change">Inactivo</td>',
        '<td class="text-nowrap">PIN</td>',
    ]:
        assert spanish in html, spanish
    for english in ["Identity and contact", "Products and services held", "Field history"]:
        assert english not in html, english
    # The raw keys and codes of the history never reach the page.
    assert "identity:pin" not in html
    assert ">status<" not in html and ">inactive<" not in html


def test_field_history_labels_follow_the_reader_language(spanish_agent):
    customer = CustomerFactory()
    customer_update(
        customer=customer,
        by=spanish_agent,
        changes={"notes": "VIP", "kind": "organisation", "legal_name": "Gómez SL"},
    )
    identity_add(customer=customer, item=IdentityData(kind="phone", value="600112233"), by=None)

    with translation.override("es"):
        rows = {
            c.field: (str(c.label), str(c.new_text))
            for c in customer_field_history(customer_id=customer.pk)
        }
    assert rows["notes"] == ("Notas", "VIP")
    assert rows["kind"] == ("Tipo", "Organización")
    assert rows["legal_name"] == ("Razón social", "Gómez SL")
    assert rows["display_name"] == ("Nombre", "Gómez SL")
    assert rows["identity:phone"] == ("Teléfono", "+34600112233")

    with translation.override("en"):
        labels = {c.field: str(c.label) for c in customer_field_history(customer_id=customer.pk)}
    assert labels["kind"] == "Kind" and labels["identity:phone"] == "Phone"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "no es un número de teléfono válido"), ("en", "is not a valid phone number")],
)
def test_rejected_rows_are_reported_in_the_importer_language(
    db, settings, tmp_path, language, expected
):
    """The worker stores each rejected row's message: in the language of who imports."""
    settings.MEDIA_ROOT = tmp_path / "media"
    importer = UserFactory(username=f"importer-{language}", role=Role.ADMIN, language=language)
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes([ROWS_ES[0], ["Marta", "Ruiz", "11111111H", "12", "", "", "", ""]]))

    with translation.override("en" if language == "es" else "es"):  # the worker's own
        job = import_file_sync(path=path, by=importer)

    assert (job.created_count, job.rejected_count) == (1, 1)
    assert expected in job.row_errors.get().message


# --- the API ------------------------------------------------------------------------------


def test_api_errors_follow_the_accept_language_of_a_token_client(api):
    spanish = api.get("/customers/999999", HTTP_ACCEPT_LANGUAGE="es")
    english = api.get("/customers/999999")

    assert spanish.status_code == english.status_code == 404
    assert spanish.json()["detail"] == "El cliente 999999 no existe o no tienes acceso a él."
    assert spanish["Content-Language"] == "es"
    assert english.json()["detail"] == "Customer 999999 does not exist or is not visible to you."


def test_api_domain_errors_and_the_401_are_in_spanish_too(api, client):
    customer = CustomerFactory()
    refused = api.patch(
        f"/customers/{customer.pk}",
        json={"status": "sleeping"},
        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Estado: Valor 'sleeping' no es una opción válida."

    anonymous = client.get("/api/v1/customers", HTTP_ACCEPT_LANGUAGE="es")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"].startswith("Se necesita autenticación")


@pytest.mark.django_db
def test_a_token_client_gets_the_language_its_user_chose(api_as):
    spanish_user = UserFactory(language="es", role=Role.ADMIN)
    response = api_as(spanish_user).get("/customers/999999")

    assert response.status_code == 404
    assert response.json()["detail"] == "El cliente 999999 no existe o no tienes acceso a él."
    assert response["Content-Language"] == "es"


@pytest.mark.django_db
def test_api_type_errors_are_in_the_users_language(api):
    customer = CustomerFactory()
    english = api.post(f"/customers/{customer.pk}/interactions", json={"subject": 5})
    assert english.status_code == 422
    assert english.json()["errors"]["channel"] == ["This field is required."]
    assert english.json()["errors"]["subject"] == ["Give a text."]

    spanish = api.post(
        f"/customers/{customer.pk}/interactions",
        json={"subject": 5},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert spanish.json()["errors"]["channel"] == ["Este campo es obligatorio."]
    assert spanish.json()["errors"]["subject"] == ["Escribe un texto."]


@pytest.mark.django_db
def test_rarer_api_errors_are_in_the_users_language_too(api):
    customer = CustomerFactory()
    body = {"product_code": "H1", "product_name": "Hipoteca", "start_date": "2026-01-01"}

    english = api.post(f"/customers/{customer.pk}/holdings", json={**body, "price": "Infinity"})
    spanish = api.post(
        f"/customers/{customer.pk}/holdings",
        json={**body, "price": "Infinity"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert english.status_code == spanish.status_code == 422
    assert english.json()["errors"]["price"] == ["The number is out of range."]
    assert spanish.json()["errors"]["price"] == ["El número está fuera de rango."]
