"""An agent opens a case from the customer's ficha, attaches a file to a note and finds
it on the case page, ready to download; opens a case with files from the new-case form
(a refused file keeps what was typed) and removes one attached by mistake after a
confirmation; wide and on a phone (375 px)."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.service.models import CaseAttachment
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_open_a_case_from_the_ficha_and_attach_a_file(
    page, sign_in, live_server, viewport, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(username="agent", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    page.set_viewport_size(viewport)
    sign_in("agent")
    page.goto(f"{live_server.url}/customers/{ana.pk}/")
    page.locator("#tab-btn-service").click()
    page.locator("#new-case").click()
    page.get_by_label("Subject").fill("Factura duplicada")
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Factura duplicada")

    page.get_by_label("Note").check()
    page.get_by_label("Message").fill("La factura que nos envió.")
    page.get_by_label("Attach files").set_input_files(
        files=[{"name": "factura.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".case-message-note")).to_contain_text("factura.pdf")
    link = page.locator("#case-files").get_by_role("link", name="factura.pdf")
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "factura.pdf"
    assert CaseAttachment.objects.get().message.case.customer_id == ana.pk


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_open_a_case_with_files_and_remove_one_attached_by_mistake(
    page, sign_in, live_server, viewport, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(username="agent", first_name="Eva", last_name="Gil", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    page.set_viewport_size(viewport)
    sign_in("agent")
    page.goto(f"{live_server.url}/service/cases/new/?customer={ana.pk}")
    page.get_by_label("Subject").fill("Factura duplicada")
    files = page.get_by_label("Attach files")
    # A refused file: the form says why, keeps what was typed, and opens no case.
    files.set_input_files(files=[{"name": "programa.exe", "mimeType": "x/y", "buffer": b"MZ"}])
    page.get_by_role("button", name="Open case").click()
    expect(page.locator("#id_attachments-error")).to_contain_text("programa.exe cannot be attached")
    expect(page.get_by_label("Subject")).to_have_value("Factura duplicada")
    assert not CaseAttachment.objects.exists()

    page.get_by_label("Attach files").set_input_files(
        files=[
            {"name": "factura.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "de-otro.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Factura duplicada")
    card = page.locator("#case-files")
    expect(card.get_by_role("link", name="factura.pdf")).to_be_visible()
    expect(card.get_by_role("link", name="de-otro.pdf")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # Cancelling the confirmation keeps the file; accepting it removes it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    card.get_by_role("button", name="Remove de-otro.pdf").click()
    expect(card.get_by_role("link", name="de-otro.pdf")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Remove de-otro.pdf").click()
    flash = page.get_by_role("status").filter(has_text="de-otro.pdf removed from the case.")
    expect(flash).to_be_visible()
    card = page.locator("#case-files")
    expect(card.get_by_role("link", name="de-otro.pdf")).to_have_count(0)  # not downloadable
    expect(page.locator(".case-file-removed").first).to_contain_text(
        "de-otro.pdf removed by Eva Gil"
    )
    expect(card.get_by_role("link", name="factura.pdf")).to_be_visible()
    assert CaseAttachment.objects.get(filename="de-otro.pdf").removed_at is not None

    # Removed by mistake: the files card lists it with a button that restores it.
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Restore de-otro.pdf").click()
    expect(page.locator("#case-files").get_by_role("link", name="de-otro.pdf")).to_be_visible()
    assert CaseAttachment.objects.get(filename="de-otro.pdf").removed_at is None
