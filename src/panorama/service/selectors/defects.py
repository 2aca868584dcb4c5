"""Reads of defects: the list, one defect with the cases the reader may see, and the
quality report (defects per product per month)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page

from ..models import Asset, Case, Defect
from . import cases_visible_to
from .field import assets_visible_to

NEWEST_FIRST = Keyset("-id", types=(int,))


def defects_filtered(
    *, product_id: int | None = None, status: str = "", severity: str = "", open_only: bool = False
) -> QuerySet[Defect]:
    qs = Defect.objects.select_related("product")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if status:
        if status not in Defect.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if severity:
        if severity not in Defect.Severity.values:
            raise ValidationFailed(_("Unknown severity %(s)s.") % {"s": severity}, field="severity")
        qs = qs.filter(severity=severity)
    if open_only:
        qs = qs.filter(status__in=Defect.OPEN_STATUSES)
    return qs.annotate(case_count=Count("cases"))


def defect_list(*, user: User, cursor: str = "", limit: int = 50, **filters) -> Page:
    """A page of defects, newest first (every staff user reads defects: they belong to
    products, not to customers). The case count counts every linked case."""
    return NEWEST_FIRST.page(
        defects_filtered(**filters), cursor=cursor, limit=max(1, min(limit, 200))
    )


def defect_get(*, defect_id: int) -> Defect:
    defect = Defect.objects.select_related("product", "created_by").filter(pk=defect_id).first()
    if defect is None:
        raise NotFound(_("Defect %(id)s does not exist.") % {"id": defect_id})
    return defect


def defect_cases(*, user: User | None, defect: Defect) -> tuple[list[Case], int]:
    """The linked cases ``user`` sees (newest first), and how many others are hidden."""
    visible = list(
        cases_visible_to(user)
        .filter(defects=defect)
        .select_related("customer")
        .order_by("-created_at", "-id")[:200]
    )
    hidden = defect.cases.count() - len(visible)
    return visible, max(hidden, 0)


def defect_assets(*, user: User | None, defect: Defect) -> tuple[list[Asset], int]:
    """The affected assets ``user`` sees (by customer, serial number), and how many
    others are hidden. Two queries."""
    visible = list(
        assets_visible_to(user)
        .filter(defects=defect)
        .select_related("customer", "product")
        .order_by("customer_id", "serial_number", "id")[:200]
    )
    hidden = defect.assets.count() - len(visible)
    return visible, max(hidden, 0)


def asset_defects(*, asset: Asset) -> list[Defect]:
    """The defects recorded against an asset, newest first (one query)."""
    return list(asset.defects.order_by("-found_on", "-id")[:50])


def defects_to_link(*, asset: Asset) -> list[Defect]:
    """Open defects of the asset's product not yet linked to it (the asset page's
    choice; one query)."""
    return list(
        Defect.objects.filter(product_id=asset.product_id, status__in=Defect.OPEN_STATUSES)
        .exclude(assets=asset)
        .order_by("-found_on", "-id")[:50]
    )


@dataclass
class ProductDefects:
    product_id: int
    product: str
    per_month: list[int] = field(default_factory=list)
    total: int = 0
    open: int = 0
    critical: int = 0
    cases: int = 0


@dataclass
class DefectReport:
    months: list[datetime.date]
    products: list[ProductDefects]
    per_month: list[int]


def _month_starts(last: datetime.date, count: int) -> list[datetime.date]:
    months = []
    year, month = last.year, last.month
    for _n in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def defect_report(*, months: int = 12, until: datetime.date | None = None) -> DefectReport:
    """Defects found per product per month over the last ``months`` months (the current
    one included), with each product's open, critical and linked-case counts. Two
    grouped queries."""
    if not 1 <= months <= 36:
        raise ValidationFailed(_("Choose between 1 and 36 months."), field="months")
    starts = _month_starts(until or timezone.localdate(), months)
    in_period = Defect.objects.filter(found_on__gte=starts[0]).order_by()
    rows: dict[int, ProductDefects] = {}
    index = {start: i for i, start in enumerate(starts)}
    for r in (
        in_period.annotate(month=TruncMonth("found_on"))
        .values("product_id", "product__name", "month")
        .annotate(
            n=Count("id", distinct=True),
            open=Count("id", distinct=True, filter=Q(status__in=Defect.OPEN_STATUSES)),
            critical=Count("id", distinct=True, filter=Q(severity=Defect.Severity.CRITICAL)),
        )
    ):
        month = r["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        if month not in index:
            continue
        product = rows.setdefault(
            r["product_id"], ProductDefects(r["product_id"], r["product__name"], [0] * months)
        )
        product.per_month[index[month]] += r["n"]
        product.total += r["n"]
        product.open += r["open"]
        product.critical += r["critical"]
    for r in (
        in_period.filter(product_id__in=list(rows))
        .values("product_id")
        .annotate(cases=Count("cases", distinct=True))
    ):
        rows[r["product_id"]].cases = r["cases"]
    products = sorted(rows.values(), key=lambda p: (-p.total, p.product.lower()))
    per_month = [sum(p.per_month[i] for p in products) for i in range(months)]
    return DefectReport(starts, products, per_month)
