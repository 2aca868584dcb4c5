"""Export of the customers a user can see, as CSV, recorded in the audit log.

The rows come page by page from ``customer_list`` (the same scoping, filters and
search as the screen and the API), so memory stays flat on a million customers and
an export never holds more than a user could page through himself.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.models import AuditEvent
from panorama.core.services import audit_record
from panorama.core.spreadsheet import csv_cell_safe  # the helper lives in core; kept here

from ..models import Address, Identity
from ..selectors import customer_list

PAGE = 200

__all__ = ["ExportFilters", "csv_cell_safe", "customers_export_csv"]


@dataclass
class ExportFilters:
    search: str = ""
    kind: str = ""
    status: str = ""
    owner_id: int | None = None
    team_id: int | None = None


def _header() -> list[str]:
    return [
        _("ID"),
        _("Name"),
        _("Kind"),
        _("Status"),
        _("National ID"),
        _("E-mail"),
        _("Phone"),
        _("City"),
        _("Postal code"),
        _("Account manager"),
        _("Team"),
    ]


def _page(user: User, filters: ExportFilters, cursor: str):
    return customer_list(user=user, cursor=cursor, limit=PAGE, **vars(filters))


def _rows(user: User, filters: ExportFilters, first, counted: list[int]) -> Iterator[list[str]]:
    page = first
    while True:
        ids = [c.pk for c in page.items]
        primary: dict[tuple[int, str], str] = {}
        for customer_id, kind, value in (
            Identity.objects.filter(customer_id__in=ids, kind__in=["national_id", "email", "phone"])
            .order_by("customer_id", "kind", "-is_primary", "id")
            .values_list("customer_id", "kind", "value")
        ):
            primary.setdefault((customer_id, kind), value)
        places: dict[int, tuple[str, str]] = {}
        for customer_id, city, postal_code in (
            Address.objects.filter(Q(customer_id__in=ids))
            .order_by("customer_id", "-is_primary", "id")
            .values_list("customer_id", "city", "postal_code")
        ):
            places.setdefault(customer_id, (city, postal_code))
        for c in page.items:
            city, postal_code = places.get(c.pk, ("", ""))
            counted[0] += 1
            yield [
                str(c.pk),
                c.display_name,
                c.get_kind_display(),
                c.get_status_display(),
                primary.get((c.pk, "national_id"), ""),
                primary.get((c.pk, "email"), ""),
                primary.get((c.pk, "phone"), ""),
                city,
                postal_code,
                c.owner.get_full_name() or c.owner.get_username() if c.owner else "",
                c.team.name if c.team else "",
            ]
        if not page.next_cursor:
            return
        page = _page(user, filters, page.next_cursor)


def customers_export_csv(
    *, user: User, filters: ExportFilters, ip_address: str | None = None
) -> Iterator[str]:
    """CSV text in chunks of about 64 KB (a byte-order mark first, for spreadsheets).

    The first page is read here, before anything is sent, so bad filters are a clear
    error rather than a download cut short. The export is in the audit log as soon as
    it starts, with its filters; the row count is added when the last row has gone out.
    """
    ensure_can(user, "customers.export")
    first = _page(user, filters, "")
    event = audit_record(
        kind=AuditEvent.Kind.EXPORT,
        user=user,
        ip_address=ip_address,
        what="customers",
        filters={k: v for k, v in vars(filters).items() if v},
    )
    return _stream(user, filters, first, event)


def _stream(user: User, filters: ExportFilters, first, event: AuditEvent) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    counted = [0]
    for row in _rows(user, filters, first, counted):
        writer.writerow([csv_cell_safe(cell) for cell in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
    event.detail = {**event.detail, "rows": counted[0]}
    event.save(update_fields=["detail"])
