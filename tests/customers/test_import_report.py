"""What an import makes of ordinary rows, and the report a user fixes and imports again.

A row is rejected with all its problems at once; the rejected-rows file gives back each
row as it was, every column, with its problems, safe to open in a spreadsheet, and it
imports again once fixed. Partial addresses are kept; Excel's "Unicode text" is read.
"""

import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.customers.imports.services.jobs import import_file_sync
from panorama.customers.models import Address, Customer, Identity
from tests.factories import CustomerFactory, IdentityFactory

from .import_files import HEADER_ES, ROWS_ES, csv_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(tmp_path, content: bytes, by, name="clientes.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return import_file_sync(path=path, by=by)


@pytest.fixture
def post_file(django_capture_on_commit_callbacks):
    """Upload through the API and run the queued import (as the worker would)."""

    def post(api, content: bytes, name="clientes.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post("/imports", data={"file": SimpleUploadedFile(name, content)})

    return post


def test_a_row_with_a_city_and_postal_code_but_no_street_is_imported(tmp_path, admin_user):
    rows = [["Ana", "García", "12345678Z", "", "ana@example.com", "", "28013", "Madrid"]]
    job = run(tmp_path, csv_bytes(rows), admin_user)

    assert (job.created_count, job.rejected_count) == (1, 0)
    address = Address.objects.get(customer__first_name="Ana")
    assert (address.line1, address.postal_code, address.city) == ("", "28013", "Madrid")


def test_an_update_with_only_a_city_is_not_lost(tmp_path, admin_user):
    """The row matches a customer by DNI and changes her notes; it also gives a city
    without a street, which used to reject the whole row."""
    customer = CustomerFactory(first_name="Ana", last_name="García", notes="")
    IdentityFactory(customer=customer, kind="national_id", value="12345678Z")
    header = ["Nombre", "DNI", "Ciudad", "Notas"]
    job = run(tmp_path, csv_bytes([["Ana", "12345678Z", "Sevilla", "VIP"]], header), admin_user)

    assert (job.updated_count, job.rejected_count) == (1, 0)
    customer.refresh_from_db()
    assert customer.notes == "VIP"
    assert customer.addresses.get().city == "Sevilla"


def test_a_country_alone_is_not_an_address_and_rejects_nothing(tmp_path, admin_user):
    header = ["Nombre", "Email", "País"]
    job = run(tmp_path, csv_bytes([["Ana", "ana@example.com", "ES"]], header), admin_user)
    assert (job.created_count, job.rejected_count) == (1, 0)
    assert not Address.objects.exists()


def test_a_row_gets_all_its_problems_not_only_the_first(tmp_path, admin_user):
    header = [*HEADER_ES, "Estado", "Fecha de nacimiento"]
    rows = [
        ["", "", "12345678A", "12", "pablo@@example", "", "", "", "dormido", "31/02/1980"],
    ]
    job = run(tmp_path, csv_bytes(rows, header), admin_user)

    error = job.row_errors.get()
    columns = [p["field"] for p in error.problems]
    assert sorted(columns) == sorted(
        ["Fecha de nacimiento", "Estado", "Nombre", "DNI", "Email", "Teléfono"]
    )
    assert error.field == "Fecha de nacimiento"
    for problem in error.problems:
        assert problem["message"] in error.message


def test_rejected_rows_file_has_the_original_rows_and_imports_again_once_fixed(api, post_file):
    header = [*HEADER_ES, "Comercial"]  # a column the import does not map comes back too
    rows = [
        [*ROWS_ES[0], "Lucía"],
        # A wrong DNI check letter and an e-mail with two @; a phone a spreadsheet
        # would read as a formula (+…), which the report defuses.
        ["Luis", "Pérez", "12345678A", "+34 (611) 22-33-44", "luis@@example.com", "", "", "", ""],
        ["Marta", "Ruiz", "11111111H", "12", "", "Calle Luna 3", "41001", "Sevilla", "Lucía"],
    ]
    r = post_file(api, csv_bytes(rows, header))
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    assert api.get(f"/imports/{job_id}").json()["rejected_count"] == 2

    r = api.get(f"/imports/{job_id}/report?format=csv")
    assert r["Content-Disposition"].startswith('attachment; filename="clientes-rejected-')
    text = r.getvalue().decode("utf-8-sig")
    report = list(csv.reader(io.StringIO(text)))
    assert report[0] == [*header, "Row", "Column", "Value", "Problems"]
    luis, marta = report[1], report[2]
    assert luis[:3] == ["Luis", "Pérez", "12345678A"] and luis[9] == "3"
    assert luis[3] == "'+34 (611) 22-33-44"
    # Row, column, value, reason, beside the original row.
    assert luis[10] == "DNI; Email" and luis[11] == "12345678A; luis@@example.com"
    assert "check letter" in luis[12] and "luis@@example.com" in luis[12]
    assert marta[:9] == [*rows[2]] and marta[9] == "4"
    assert (marta[10], marta[11]) == ("Teléfono", "12") and "12 is not" in marta[12]

    # The user fixes the two rows in the file and uploads it as it is.
    luis[2], luis[4] = "23456789D", "luis@example.com"
    marta[3] = "600112233"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(report)
    r = post_file(api, fixed.getvalue().encode("utf-8-sig"), name="clientes-arreglado.csv")
    assert r.status_code == 202, r.content
    body = api.get(f"/imports/{r.json()['id']}").json()
    assert (body["status"], body["created_count"], body["rejected_count"]) == ("done", 2, 0)
    luis_customer = Customer.objects.get(first_name="Luis")
    assert set(luis_customer.identities.values_list("kind", "value")) == {
        ("national_id", "23456789D"),
        ("phone", "+34611223344"),
        ("email", "luis@example.com"),
    }
    assert Customer.objects.get(first_name="Marta").addresses.get().city == "Sevilla"


def test_rejected_rows_file_defuses_formulas_in_every_cell_headers_included(api, post_file):
    header = ["Nombre", "DNI", '=HYPERLINK("http://x";"clic")', "@SUM(1)"]
    rows = [["=cmd|' /C calc'!A0", "12345678A", "-2+3", "+A1"]]
    r = post_file(api, csv_bytes(rows, header))
    assert r.status_code == 202, r.content

    text = api.get(f"/imports/{r.json()['id']}/report?format=csv").getvalue().decode()
    cells = [c for line in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in line]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert dangerous == []
    assert '\'=HYPERLINK("http://x";"clic")' in cells and "'@SUM(1)" in cells
    assert "'=cmd|' /C calc'!A0" in cells and "'-2+3" in cells and "'+A1" in cells


def test_utf16_unicode_text_from_excel_is_read(tmp_path, admin_user):
    """Excel's "Unicode text": UTF-16 little-endian with a byte-order mark, tabs."""
    text = csv_bytes(ROWS_ES, delimiter="\t").decode()
    job = run(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"), admin_user, "c.txt")

    assert (job.encoding, job.delimiter, job.created_count, job.rejected_count) == (
        "utf-16",
        "\t",
        3,
        0,
    )
    assert Customer.objects.filter(first_name="Íñigo", last_name="Ibáñez").exists()


def test_the_json_report_is_paged_not_cut(api, post_file):
    rows = [["", "", "", "", f"nadie{n}@example.com", "", "", ""] for n in range(1200)]
    r = post_file(api, csv_bytes(rows))
    job_id = r.json()["id"]

    seen, cursor, pages = [], "", 0
    while True:
        body = api.get(f"/imports/{job_id}/report?limit=500&cursor={cursor}").json()
        seen += [e["row_number"] for e in body["errors"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert seen == list(range(2, 1202))
    assert body["rejected_listed"] == 1200
    assert api.get(f"/imports/{job_id}/report?cursor=nonsense").status_code == 422


def test_address_with_nothing_but_a_country_is_still_refused_by_the_api(api):
    r = api.post(
        "/customers",
        json={
            "first_name": "Ana",
            "identities": [{"kind": "email", "value": "ana@example.com"}],
            "addresses": [{"country": "ES"}],
        },
    )
    assert r.status_code == 422
    assert "postal code" in r.json()["detail"]
    r = api.post(
        "/customers",
        json={
            "first_name": "Ana",
            "identities": [{"kind": "email", "value": "ana@example.com"}],
            "addresses": [{"city": "Madrid", "postal_code": "28013"}],
        },
    )
    assert r.status_code == 201, r.content
    assert Identity.objects.filter(value="ana@example.com").exists()
