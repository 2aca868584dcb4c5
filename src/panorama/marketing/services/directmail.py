"""Direct mail: the target group's postal addresses exported for the printer or the
mailing house, as CSV or XLSX. The first export reads, for each customer, the consent
to marketing by post and his address (primary first) at that moment: those who have
both are ledgered "exported" (a note on their timeline), the others skipped with the
reason, and the campaign is over. Later exports give the same customers again, nothing
ledgered twice. Every cell is formula-safe (``csv_cell_safe``)."""

import csv
import io
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.services import interactions_record
from panorama.core.bulk import objects_update
from panorama.core.events import emit_many
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import Address, Consent
from panorama.customers.selectors import customers_visible_to
from panorama.customers.services.export import csv_cell_safe

from ..models import Campaign, Recipient
from .ledger import reach_read

FORMATS = ("csv", "xlsx")


def _addresses(ids: list[int]) -> dict[int, Address]:
    found: dict[int, Address] = {}
    for address in (
        Address.objects.filter(customer_id__in=ids).exclude(line1="").order_by("-is_primary", "id")
    ):
        found.setdefault(address.customer_id, address)
    return found


def _ledger(campaign: Campaign) -> int:
    """Mark the pending target rows exported or skipped (at export time); how many
    were exported."""
    rows = list(
        Recipient.objects.select_for_update(of=("self",)).filter(
            campaign=campaign, group=Recipient.Group.TARGET, status=Recipient.Status.PENDING
        )
    )
    reach = reach_read([r.customer_id for r in rows], Consent.Channel.POST, _addresses)
    now = timezone.now()
    exported: list[Recipient] = []
    for row in rows:
        reason = reach.reason(row.customer_id, Recipient.Reason.NO_ADDRESS)
        if reason is None:
            row.status, row.exported_at, row.sent_at = Recipient.Status.EXPORTED, now, now
            exported.append(row)
        else:
            row.status, row.reason = Recipient.Status.SKIPPED, reason
    objects_update(rows, ["status", "reason", "exported_at", "sent_at"])
    interactions_record(
        by=None,
        contacts=[
            {
                "customer_id": row.customer_id,
                "channel": "note",
                "direction": "outbound",
                "subject": (_("Campaign letter: %(name)s") % {"name": campaign.name})[:200],
                "body": _("Address exported for the campaign's mailing."),
                "outcome": "exported",
                "related": row,
                "metadata": {"campaign_id": campaign.pk},
            }
            for row in exported
        ],
    )
    emit_many(
        "campaign.sent",
        [
            {"campaign_id": campaign.pk, "customer_id": r.customer_id, "recipient_id": r.pk}
            for r in exported
        ],
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENT, finished_at=now)
    return len(exported)


def _header() -> list[str]:
    return [
        _("Customer"),
        _("Name"),
        _("First name"),
        _("Address"),
        _("Address (more)"),
        _("Postal code"),
        _("City"),
        _("Region"),
        _("Country"),
        _("Language"),
    ]


def _table(campaign: Campaign, by: User) -> list[list[Any]]:
    rows = list(
        Recipient.objects.filter(
            campaign=campaign,
            status=Recipient.Status.EXPORTED,
            customer__in=customers_visible_to(by),
        )
        .select_related("customer")
        .order_by("pk")
    )
    addresses = _addresses([r.customer_id for r in rows])
    table = []
    for row in rows:
        customer, address = row.customer, addresses.get(row.customer_id)
        if address is None:  # removed since: the customer is left out of the file
            continue
        table.append(
            [
                customer.pk,
                customer.display_name,
                customer.first_name,
                address.line1,
                address.line2,
                address.postal_code,
                address.city,
                address.region,
                address.country,
                customer.language,
            ]
        )
    return table


@transaction.atomic
def direct_mail_export(*, by: User, campaign: Campaign, fmt: str = "csv") -> tuple[str, bytes]:
    """(file name, content) of the campaign's mailing list; the first call ledgers it."""
    ensure_can(by, "marketing.send_campaigns")
    if fmt not in FORMATS:
        raise ValidationFailed(_("Export as csv or xlsx."), field="format")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.channel != Campaign.Channel.DIRECT_MAIL:
        raise ValidationFailed(_("This campaign is no direct mail."), field="channel")
    if campaign.status == Campaign.Status.SENDING:
        _ledger(campaign)
    elif campaign.status != Campaign.Status.SENT:
        raise Conflict(
            _("Launch the campaign first: its addresses are exported after the launch."),
            field="status",
        )
    header, table = _header(), _table(campaign, by)
    name = f"direct-mail-{campaign.pk}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for line in table:
            writer.writerow([csv_cell_safe(v) for v in line])
        return name, out.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Addresses")[:31])
    sheet.append(header)
    for line in table:
        sheet.append([v if isinstance(v, int) else csv_cell_safe(v) for v in line])
    out_b = io.BytesIO()
    book.save(out_b)
    return name, out_b.getvalue()
