"""The import wizard in a real browser (issue 14, point 14): a Spanish Excel CSV
(Windows-1252, ";", decimal commas, some bad rows) → the columns guessed from the
Spanish headers and the first rows checked, faulty cells marked → a dry run with its
counts → the import with its progress and report → the error file → undo. Light and
dark with axe; 375 px without horizontal scroll."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from tests.browser.checks import sideways, violations
from tests.factories import (
    CustomerFactory,
    CustomFieldDefinitionFactory,
    IdentityFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Nombre", "Apellidos", "DNI", "Correo electrónico", "Teléfono", "Saldo"]
ROWS = [
    ["Ana", "García López", "12345678Z", "ana@example.com", "600 11 22 33", "1.234,56"],
    ["Luis", "Pérez", "12345678A", "luis@@example.com", "", "12,5"],
    ["José", "Muñoz", "87654321X", "jose@nuevo.example", "", "-7,25"],
    ["Eva", "Sola", "X1234567L", "eva@example.com", "12", "mucho"],
]


def spanish_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADER, *ROWS])
    return out.getvalue().encode("cp1252")


@pytest.fixture
def importer(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(username="carmen", first_name="Carmen", last_name="Vidal", role=Role.ADMIN)
    CustomFieldDefinitionFactory(key="saldo", label="Saldo", type="decimal")
    jose = CustomerFactory(first_name="José", last_name="Muñoz", owner=user)
    IdentityFactory(customer=jose, kind="national_id", value="87654321X", is_primary=True)
    return user


def test_spanish_csv_from_upload_to_undo(page, sign_in, live_server, importer, screenshots):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("carmen")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(
        {"name": "clientes.csv", "mimeType": "text/csv", "buffer": spanish_csv()}
    )
    page.get_by_role("button", name="Continue").click()

    # Step 2: read as Excel in Spanish writes it, columns guessed from the headers.
    expect(page.locator("[data-source]")).to_contain_text("encoding cp1252, separator “;”")
    expect(page.get_by_label("DNI")).to_have_value("national_id")
    expect(page.get_by_label("Correo electrónico")).to_have_value("email")
    expect(page.get_by_label("Saldo")).to_have_value("cf:saldo")
    preview = page.locator("#import-preview")
    expect(preview.locator("tbody tr")).to_have_count(4)
    expect(preview.locator("[data-invalid]")).to_have_count(4)  # Luis's DNI, e-mail; Eva's
    luis = preview.locator("tr[data-row='3']")
    expect(luis.locator("[data-invalid]").first).to_contain_text("check letter")
    expect(preview.locator("tr[data-row='4']")).to_contain_text("Update")
    expect(preview.locator("tr[data-row='2'] [data-invalid]")).to_have_count(0)

    # A changed column redraws the checked preview (no reload): without the e-mail
    # column, Luis's e-mail is no longer a problem.
    page.get_by_label("Correo electrónico").select_option("")
    expect(preview.locator("[data-invalid]")).to_have_count(3)
    page.get_by_label("Correo electrónico").select_option("email")
    expect(preview.locator("[data-invalid]")).to_have_count(4)

    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == [], theme
    page.evaluate("document.documentElement.setAttribute('data-bs-theme', 'light')")

    # The dry run: counts for the whole file, nothing written.
    page.get_by_role("button", name="Check the whole file").click()
    dry = page.locator("#import-dry-run")
    expect(dry.locator("[data-count=create]")).to_have_text("1")
    expect(dry.locator("[data-count=update]")).to_have_text("1")
    expect(dry.locator("[data-count=reject]")).to_have_text("2")
    expect(dry).to_contain_text("luis@@example.com")
    assert not Customer.objects.filter(first_name="Ana").exists()
    page.screenshot(path=str(screenshots / "import-mapping.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
    page.set_viewport_size({"width": 1280, "height": 800})

    # The import: its progress, then the report with the same counts.
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/customers/imports/\d+/(#.*)?$"))
    progress = page.locator("#import-progress")
    expect(progress.locator("[data-count=created]")).to_have_text("1")
    expect(progress.locator("[data-count=updated]")).to_have_text("1")
    expect(progress.locator("[data-count=rejected]")).to_have_text("2")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    assert Customer.objects.get(first_name="Ana").custom_fields == {"saldo": "1234.56"}
    assert violations(page) == []

    # The error file: the original row, then row, column, value and reason.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rejected rows (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    report = list(csv.reader(io.StringIO(text)))
    assert report[0] == [*HEADER, "Row", "Column", "Value", "Problems"]
    assert report[1][:6] == ROWS[1] and report[1][6:8] == ["3", "DNI; Correo electrónico"]

    # Undo: Ana goes, José gets his old values back.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator("#import-progress")).to_contain_text("This import was undone")
    assert not Customer.objects.filter(first_name="Ana").exists()
    assert Customer.objects.get(first_name="José").custom_fields == {}
