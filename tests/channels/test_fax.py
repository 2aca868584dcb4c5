"""Fax as a channel: in through the gateway's mailbox (the inbound mail path), an upload
or the API, the sender identified, the document stored and previewed, a case opened
from it; out through the e-mail-to-fax gateway (a real SMTP server) with its status."""

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from panorama.channels.fax.services import fax_receive
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Fax, Interaction, MailEntry
from panorama.service.models import Case
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

from .conftest import make_mail

pytestmark = pytest.mark.django_db


def pdf(pages=2) -> bytes:
    document = pdfium.PdfDocument.new()
    for _n in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def tiff() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("1", (1728, 2200), 1) for _n in range(3)]
    frames[0].save(
        out, format="TIFF", save_all=True, append_images=frames[1:], compression="group4"
    )
    return out.getvalue()


@pytest.fixture
def ana():
    customer = CustomerFactory(display_name="Ana García")
    IdentityFactory(customer=customer, kind="phone", value="+34911222333")
    return customer


@pytest.fixture
def fax_mailbox(settings):
    settings.PANORAMA_FAX_INBOUND_ADDRESSES = ["fax@bank.example"]


def _fax_mail(number="+34911222333", attachments=None):
    raw = make_mail(
        sender=f"{number}@faxgateway.example",
        subject=f"Fax from {number}",
        body="Fax received: 2 pages",
        attachments=attachments
        if attachments is not None
        else [("fax.pdf", pdf(), "application/pdf")],
    )
    return raw.replace(b"To: support@bank.example", b"To: fax@bank.example")


def test_a_fax_through_the_gateway_mailbox_lands_on_the_senders_timeline_with_a_preview(
    ana, fax_mailbox, client, admin_user
):
    entry = mail_import(raw=_fax_mail())

    assert (entry.status, entry.reason, entry.customer) == ("imported", "fax", ana)
    fax = Fax.objects.get()
    assert (fax.status, fax.number, fax.pages, fax.content_type) == (
        "received",
        "+34911222333",
        2,
        "application/pdf",
    )
    timeline = Interaction.objects.get(customer=ana)
    assert (timeline.channel, timeline.subject) == ("fax", "Fax from +34911222333")
    client.force_login(admin_user)
    preview = client.get(f"/channels/faxes/{fax.pk}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(preview.streaming_content)))
    assert image.width == 900 and image.height > image.width  # an A4 page, upright
    page = client.get(f"/customers/{ana.pk}/")
    assert f"/channels/faxes/{fax.pk}/preview/".encode() in page.content


def test_a_tiff_fax_is_previewed_through_pillow(ana):
    fax = fax_receive(by=None, number="+34911222333", content=tiff())
    assert (fax.content_type, fax.pages) == ("image/tiff", 3)
    with Image.open(fax.preview.open("rb")) as image:
        assert image.format == "PNG" and image.width == 900


def test_a_fax_from_an_unknown_number_waits_with_the_unknown_numbers(api, fax_mailbox):
    mail_import(raw=_fax_mail(number="+34933444555"))
    fax = Fax.objects.get()
    assert (fax.status, fax.customer) == ("unknown", None)
    [row] = api.get("/channels/unknown-numbers").json()
    assert (row["number"], row["faxes"]) == ("+34933444555", 1)
    luis = CustomerFactory()
    assert (
        api.post(f"/channels/faxes/{fax.pk}/link", json={"customer_id": luis.pk}).status_code == 200
    )
    assert Interaction.objects.get(customer=luis).channel == "fax"


def test_a_gateway_message_without_a_document_is_ledgered_not_lost(fax_mailbox):
    entry = mail_import(raw=_fax_mail(attachments=[("notes.txt", b"hello", "text/plain")]))
    assert (entry.status, entry.reason) == (MailEntry.Status.SKIPPED, MailEntry.Reason.FAX)
    assert "no PDF or TIFF" in entry.detail
    assert not Fax.objects.exists()


def test_an_uploaded_fax_and_a_case_opened_from_it(api, ana):
    r = api._call(
        "post",
        "/channels/faxes",
        data={"number": "911 22 23 33", "document": io.BytesIO(pdf(1)), "note": "Reclamación"},
    )
    assert r.status_code == 201, r.content
    fax_id = r.json()["id"]

    opened = api.post(f"/channels/faxes/{fax_id}/case", json={"subject": "Reclamación por fax"})

    assert opened.status_code == 201
    case = Case.objects.get(pk=opened.json()["case_id"])
    assert (case.customer, case.channel, case.subject) == (ana, "fax", "Reclamación por fax")
    fax_entry = Interaction.objects.get(customer=ana, channel="fax", metadata__kind="fax")
    assert fax_entry.related == case
    twice = api.post(f"/channels/faxes/{fax_id}/case", json={})
    assert twice.status_code == 409 and case.reference in twice.json()["detail"]


@pytest.mark.parametrize(
    ("number", "content", "message"),
    [
        ("+34911222333", b"GIF89a not a fax", "PDF or a TIFF"),
        ("+34911222333", b"", "empty"),
        ("not a number", pdf(1), "not a valid fax number"),
        ("+34911222333", b"%PDF-1.4 broken", None),  # stored, but no preview
    ],
)
def test_bad_documents_and_numbers(api, ana, number, content, message):
    r = api._call(
        "post", "/channels/faxes", data={"number": number, "document": io.BytesIO(content)}
    )
    if message is None:
        assert r.status_code == 201
        assert not r.json()["has_preview"] and "No preview" in r.json()["note"]
    else:
        assert r.status_code == 422
        assert message in r.json()["detail"]


@pytest.fixture
def gateway(smtp, settings):
    """The e-mail-to-fax gateway: the real SMTP server, with the gateway's domain set."""
    settings.PANORAMA_FAX_GATEWAY_DOMAIN = "fax.gateway.example"
    return smtp


def test_a_fax_out_goes_to_number_at_gateway_and_reports_its_status(api, ana, gateway):
    r = api._call(
        "post",
        f"/customers/{ana.pk}/faxes",
        data={
            "number": "+34911222333",
            "document": io.BytesIO(pdf(1)),
            "cover": "Contrato firmado",
        },
    )

    assert r.status_code == 201, r.content
    [sent] = gateway.messages
    assert sent.rcpt_tos == ["34911222333@fax.gateway.example"]
    [attachment] = list(sent.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert r.json()["status"] == "sent"
    delivered = api.post(f"/channels/faxes/{r.json()['id']}/status", json={"status": "delivered"})
    assert delivered.json()["status"] == "delivered"
    assert Interaction.objects.get(customer=ana, direction="outbound").outcome == "Delivered"
    bad = api.post(f"/channels/faxes/{r.json()['id']}/status", json={"status": "lost"})
    assert bad.status_code == 422


def test_faxes_of_customers_one_cannot_see_are_hidden(api_as, ana, rep):
    fax = fax_receive(by=None, number="+34911222333", content=pdf(1))
    ana.owner = UserFactory(role="sales_rep")
    ana.save()
    assert api_as(rep).get(f"/channels/faxes/{fax.pk}").status_code == 404
    assert api_as(rep).get(f"/channels/faxes/{fax.pk}/document").status_code == 404


def test_a_mailbox_marked_as_the_fax_gateways_turns_its_messages_into_faxes(ana):
    from panorama.channels.models import Mailbox

    mailbox = Mailbox.objects.create(
        name="Fax", address="fax@bank.example", host="h", username="u", receives_faxes=True
    )
    entry = mail_import(raw=_fax_mail(), mailbox=mailbox, uid=1, uidvalidity=1)
    assert (entry.status, entry.reason) == ("imported", "fax")
    assert Fax.objects.get().customer == ana


def test_a_refused_fax_is_a_failed_entry_sent_again_with_its_document(api, ana, gateway):
    gateway.refused_domain = "fax.gateway.example"
    r = api._call(
        "post",
        f"/customers/{ana.pk}/faxes",
        data={"number": "+34911222333", "document": io.BytesIO(pdf(1)), "cover": "Contrato"},
    )
    assert r.status_code == 422
    failed = Interaction.objects.get(customer=ana, failed=True)
    assert failed.channel == "fax" and "550" in failed.metadata["error"]

    gateway.refused_domain = ""
    retried = api.post(f"/channels/failed-messages/{failed.pk}/retry")

    assert retried.status_code == 200, retried.content
    [sent] = gateway.messages
    assert sent.rcpt_tos == ["34911222333@fax.gateway.example"]
    assert "Contrato" in sent.message.get_body(("plain",)).get_content()
    [attachment] = list(sent.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    # The gateway reports the new one failed later: its entry becomes a failed one.
    fax_id = Interaction.objects.get(pk=retried.json()["id"]).metadata["fax_id"]
    api.post(f"/channels/faxes/{fax_id}/status", json={"status": "failed", "error": "busy"})
    later = Interaction.objects.get(pk=retried.json()["id"])
    assert (later.failed, later.metadata["error"]) == (True, "busy")
