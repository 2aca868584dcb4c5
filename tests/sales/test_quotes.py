# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""Quotes through their services: priced and explained line by line, every bad input
refused naming its field with nothing written, approval of a large discount, versions,
sending by e-mail through a real SMTP server and acceptance through the signed link."""

import datetime
import email
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.utils import timezone

from panorama.catalog.models import Promotion
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.sales.models import Order, Quote, QuoteLine
from panorama.sales.services.quote import (
    LineData,
    acceptance_token,
    quote_accept,
    quote_approve,
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
    quote_new_version,
    quote_reject,
    quote_request_approval,
    quote_send,
)

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(rep, buyer, world):
    return quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["router"].pk, quantity=2)],
    )


def _timeline(quote):
    return list(
        Interaction.objects.filter(
            related_type=ContentType.objects.get_for_model(Quote), related_id=quote.pk
        )
        .order_by("id")
        .values_list("subject", flat=True)
    )


def test_a_quote_is_priced_and_explained_line_by_line(rep, buyer, world):
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        coupon="bienvenida",
        lines=[
            LineData(product_id=world["router"].pk, quantity=2),
            LineData(
                product_id=world["pack"].pk,
                options=["fibra1g", "movil_basico"],
                manual_discount_percent=5,
            ),
        ],
    )
    assert quote.reference == f"Q-{quote.pk:06d}"
    assert quote.language == "es"  # the customer's
    router, pack = quote.lines.order_by("position")
    # Router 2 × 100 = 200; Otoño 10 % = 20; coupon 5 × 2 = 10 → 170; IVA 35.70.
    assert (router.gross, router.discount_total, router.net, router.tax) == (
        Decimal("200.00"),
        Decimal("30.00"),
        Decimal("170.00"),
        Decimal("35.70"),
    )
    kinds = [step["kind"] for step in router.explanation]
    assert kinds[:2] == ["list_price", "price_list"] and "promotion" in kinds
    assert any("Otoño" in step["text"] for step in router.explanation)
    assert router.explanation[0]["text"].startswith("Precio de tarifa")  # Spanish customer
    # Pack 50 + 15 + 10 = 75 (+ instalación included); coupon 5 → 70; manual 5 % = 3.50.
    assert pack.net == Decimal("66.50")
    assert quote.net == Decimal("236.50")
    assert quote.total == quote.net + quote.tax
    assert quote.taxes == [
        {"name": "IVA 21 %", "rate": "21.00", "base": "236.50", "tax": str(quote.tax)}
    ]


@pytest.mark.parametrize(
    ("line", "terms", "field"),
    [
        ({"options": ["ip_fija", "fibra300", "movil_basico"]}, {}, "options"),
        ({"quantity": -1}, {}, "quantity"),
        ({"quantity": "abc"}, {}, "quantity"),
        ({"manual_discount_percent": 120}, {}, "manual_discount_percent"),
        ({}, {"coupon": "VERANO"}, "coupon"),
        ({}, {"price_list": "vieja"}, "price_list"),
        ({}, {"currency": "JPY"}, "currency"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(rep, buyer, world, line, terms, field):
    before = (Quote.objects.count(), QuoteLine.objects.count(), Interaction.objects.count())
    product = world["pack"] if "options" in line else world["router"]
    data = {"product_id": product.pk, "options": ["fibra300", "movil_basico"], **line}
    with pytest.raises(ValidationFailed) as refused:
        quote_create(by=rep, customer_id=buyer.pk, lines=[LineData(**data)], **terms)
    # Lines given with the quote are named by their index; the terms by their name.
    assert refused.value.field == (f"lines.0.{field}" if line else field)
    assert str(refused.value.message)
    after = (Quote.objects.count(), QuoteLine.objects.count(), Interaction.objects.count())
    assert after == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"options": ["ip_fija", "fibra300", "movil_basico"]}, "options"),
        ({"options": []}, "options"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"manual_discount_percent": -5}, "manual_discount_percent"),
    ],
)
def test_a_bad_line_names_its_field(quote, rep, world, line, field):
    lines, total = quote.lines.count(), quote.total
    data = {"product_id": world["pack"].pk, "options": ["fibra300", "movil_basico"], **line}
    with pytest.raises(ValidationFailed) as refused:
        quote_line_add(by=rep, quote_id=quote.pk, line=LineData(**data))
    assert refused.value.field == field
    quote.refresh_from_db()
    assert (quote.lines.count(), quote.total) == (lines, total)


def test_a_product_in_a_currency_with_no_rate_is_refused_on_the_currency(quote, rep, world):
    with pytest.raises(ValidationFailed) as refused:
        quote_line_add(by=rep, quote_id=quote.pk, line=LineData(product_id=world["licence"].pk))
    assert refused.value.field == "currency"
    assert "GBP" in str(refused.value.message)
    assert quote.lines.count() == 1


def test_a_bad_line_added_to_a_quote_leaves_it_as_it_was(quote, rep, world):
    total = quote.total
    with pytest.raises(ValidationFailed) as refused:
        quote_line_add(
            by=rep,
            quote_id=quote.pk,
            line=LineData(product_id=world["pack"].pk, options=["tv", "fibra300", "movil_datos"]),
        )
    assert refused.value.field == "options"
    quote.refresh_from_db()
    assert (quote.lines.count(), quote.total) == (1, total)


def test_lines_change_and_go(quote, rep, world):
    line = quote_line_add(
        by=rep, quote_id=quote.pk, line=LineData(product_id=world["router"].pk, quantity=1)
    )
    quote_line_update(by=rep, quote_id=quote.pk, line_id=line.pk, quantity=3)
    quote.refresh_from_db()
    assert quote.net == Decimal("450.00")  # 5 routers at 90
    with pytest.raises(ValidationFailed) as refused:
        quote_line_update(by=rep, quote_id=quote.pk, line_id=line.pk, quantity=-2)
    assert refused.value.field == "quantity"
    quote_line_remove(by=rep, quote_id=quote.pk, line_id=line.pk)
    quote.refresh_from_db()
    assert (quote.lines.count(), quote.net) == (1, Decimal("180.00"))


def test_a_discount_over_the_threshold_needs_a_managers_approval(
    quote, rep, manager, world, smtp, settings
):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    line = quote.lines.get()
    quote_line_update(by=rep, quote_id=quote.pk, line_id=line.pk, manual_discount_percent=15)
    with pytest.raises(ValidationFailed) as refused:
        quote_send(by=rep, quote_id=quote.pk)
    assert refused.value.field == "manual_discount_percent"
    assert "approve" in str(refused.value.message)
    with pytest.raises(PermissionDenied):
        quote_approve(by=rep, quote_id=quote.pk)

    quote_request_approval(by=rep, quote_id=quote.pk, comment="Cliente estratégico")
    assert Quote.objects.get(pk=quote.pk).status == "pending_approval"
    assert [to for to, _ in smtp.messages] == [["jefa@example.com"]]
    assert b"Cliente estrat" in smtp.messages[0][1]

    with pytest.raises(ValidationFailed) as no_comment:
        quote_reject(by=manager, quote_id=quote.pk)
    assert no_comment.value.field == "comment"
    quote_approve(by=manager, quote_id=quote.pk, comment="OK por volumen")
    approved = Quote.objects.get(pk=quote.pk)
    assert (approved.status, approved.approved_by) == ("approved", manager)
    quote_send(by=rep, quote_id=quote.pk)
    assert Quote.objects.get(pk=quote.pk).status == "sent"


def test_a_change_after_the_approval_voids_it(quote, rep, manager, settings):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    line = quote.lines.get()
    quote_line_update(by=rep, quote_id=quote.pk, line_id=line.pk, manual_discount_percent=20)
    quote_request_approval(by=rep, quote_id=quote.pk)
    quote_approve(by=manager, quote_id=quote.pk)
    quote_line_update(by=rep, quote_id=quote.pk, line_id=line.pk, manual_discount_percent=25)
    changed = Quote.objects.get(pk=quote.pk)
    assert (changed.status, changed.approved_by) == ("draft", None)
    with pytest.raises(ValidationFailed):
        quote_send(by=rep, quote_id=quote.pk)


def test_a_manager_rejects_with_a_comment(quote, rep, manager, settings):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    line = quote.lines.get()
    quote_line_update(by=rep, quote_id=quote.pk, line_id=line.pk, manual_discount_percent=30)
    quote_request_approval(by=rep, quote_id=quote.pk)
    quote_reject(by=manager, quote_id=quote.pk, comment="Demasiado")
    rejected = Quote.objects.get(pk=quote.pk)
    assert (rejected.status, rejected.approval_comment) == ("rejected", "Demasiado")
    assert any("rechazado" in s or "rejected" in s for s in _timeline(quote))


def test_a_new_version_copies_the_lines(quote, rep, world):
    quote_line_add(
        by=rep,
        quote_id=quote.pk,
        line=LineData(product_id=world["pack"].pk, options=["fibra300", "movil_basico"]),
    )
    quote.refresh_from_db()
    new = quote_new_version(by=rep, quote_id=quote.pk)
    assert (new.version, new.previous_id, new.status) == (2, quote.pk, "draft")
    assert new.reference == f"{quote.reference}-v2"
    assert [(line.product_id, line.net) for line in new.lines.order_by("position")] == [
        (line.product_id, line.net) for line in quote.lines.order_by("position")
    ]
    assert new.total == quote.total
    with pytest.raises(Conflict):
        quote_new_version(by=rep, quote_id=quote.pk)


def test_sending_mails_the_pdf_and_lands_in_the_timeline(quote, rep, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    [(to, raw)] = smtp.messages
    assert to == ["lucia@example.com"]
    message = email.message_from_bytes(raw)
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    assert attachments[0].get_filename() == f"{quote.reference}.pdf"
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "/sales/quotes/accept/" in body.get_payload(decode=True).decode()
    assert f"Presupuesto {quote.reference}" in message["Subject"]
    sent = [s for s in _timeline(quote) if "lucia@example.com" in s]
    assert len(sent) == 1


def test_a_customer_without_an_e_mail_cannot_be_sent_a_quote(rep, team, world, smtp):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(owner=rep, team=team)
    quote = quote_create(
        by=rep, customer_id=customer.pk, lines=[LineData(product_id=world["router"].pk)]
    )
    with pytest.raises(ValidationFailed) as refused:
        quote_send(by=rep, quote_id=quote.pk)
    assert refused.value.field == "email"
    assert Quote.objects.get(pk=quote.pk).status == "draft"
    assert smtp.messages == []


def test_the_customer_accepts_through_the_link_once(quote, rep, world, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    token = acceptance_token(quote)
    uses = Promotion.objects.get(pk=world["otono"].pk).uses

    quote_accept(token=token)

    accepted = Quote.objects.get(pk=quote.pk)
    assert accepted.status == "accepted"
    order = Order.objects.get(quote=quote)
    assert (order.status, order.total, order.reference) == (
        "confirmed",
        quote.total,
        f"O-{order.pk:06d}",
    )
    # 2 routers, 5 in stock: they leave today.
    assert order.expected_delivery == timezone.localdate()
    assert Promotion.objects.get(pk=world["otono"].pk).uses == uses + 1
    assert any("accepted by the customer" in s for s in _timeline(quote))

    with pytest.raises(Conflict):
        quote_accept(token=token)
    assert Order.objects.count() == 1
    assert Promotion.objects.get(pk=world["otono"].pk).uses == uses + 1


def test_a_tampered_link_is_not_found(quote, rep, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    token = acceptance_token(quote)
    with pytest.raises(NotFound):
        quote_accept(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    forged = signing.dumps({"quote": quote.pk, "version": 1}, salt="another", compress=True)
    with pytest.raises(NotFound):
        quote_accept(token=forged)
    assert Quote.objects.get(pk=quote.pk).status == "sent"


def test_an_expired_link_writes_nothing(quote, rep, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    token = acceptance_token(quote)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        sent_at=timezone.now() - datetime.timedelta(days=40),
    )
    with pytest.raises(ValidationFailed) as refused:
        quote_accept(token=token)
    assert refused.value.field == "token"
    assert "caducó" in str(refused.value.message)  # the customer's language
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    assert not Order.objects.exists()


def test_the_link_of_a_replaced_version_cannot_be_accepted(quote, rep, smtp):
    quote_send(by=rep, quote_id=quote.pk)
    token = acceptance_token(quote)
    quote_new_version(by=rep, quote_id=quote.pk)
    with pytest.raises(Conflict):
        quote_accept(token=token)
    assert not Order.objects.exists()


def test_a_rep_cannot_quote_a_customer_he_does_not_see(rep, world):
    from tests.factories import CustomerFactory, TeamFactory

    other = CustomerFactory(team=TeamFactory(name="Barcelona"))
    with pytest.raises(NotFound):
        quote_create(by=rep, customer_id=other.pk, lines=[LineData(product_id=world["router"].pk)])


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"valid_until": datetime.date(9999, 12, 31)}, "valid_until"),
        ({"valid_until": datetime.date(2000, 1, 1)}, "valid_until"),
        ({"channel": "fax"}, "channel"),
        ({"coupon": "A\x00B"}, "coupon"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_terms_name_their_field(rep, buyer, terms, field):
    with pytest.raises(ValidationFailed) as refused:
        quote_create(by=rep, customer_id=buyer.pk, **terms)
    assert refused.value.field == field
    assert not Quote.objects.exists()


def test_a_bad_address_to_send_to_is_refused(quote, rep, smtp):
    with pytest.raises(ValidationFailed) as refused:
        quote_send(by=rep, quote_id=quote.pk, email="x@y\nBcc: z@w")
    assert refused.value.field == "email"
    assert smtp.messages == []
    assert Quote.objects.get(pk=quote.pk).status == "draft"
