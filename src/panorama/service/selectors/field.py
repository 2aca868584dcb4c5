"""Reads of field service: the installed base, contracts and their coverage, work
orders (the dispatch board, the technician's day) and parts stock.

Assets and contracts are visible exactly when their customer is (like cases). A work
order is its technician's, its creator's, and the dispatchers' of the technician's
teams (unassigned ones too); an administrator sees all; and only while its customer is
visible."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts import permissions
from panorama.accounts.models import Role, User
from panorama.core.exceptions import NotFound
from panorama.customers.selectors import scope_filter

from ..models import (
    Asset,
    Case,
    ServiceContract,
    StockLevel,
    StockLocation,
    TechnicianProfile,
    WorkOrder,
)

# --- installed base --------------------------------------------------------------------


def assets_visible_to(user: User | None) -> QuerySet[Asset]:
    live = Asset.objects.filter(customer__merged_into__isnull=True)
    return live if user is None else live.filter(scope_filter(user, "customer__"))


def asset_get(*, user: User | None, asset_id: int) -> Asset:
    asset = (
        assets_visible_to(user)
        .select_related("customer", "product", "parent__product")
        .filter(pk=asset_id)
        .first()
    )
    if asset is None:
        raise NotFound(
            _("Asset %(id)s does not exist or is not visible to you.") % {"id": asset_id}
        )
    return asset


def assets_for_panel(*, customer, user) -> list[Asset]:
    """The customer's installed base for the ficha: top-level assets, each with its
    ``parts`` (components) — one query, whatever the number of assets."""
    rows = list(
        Asset.objects.filter(customer=customer)
        .select_related("product")
        .order_by("product__name", "serial_number")[:200]
    )
    children: dict[int, list[Asset]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    top = [
        row for row in rows if row.parent_id is None or row.parent_id not in {r.pk for r in rows}
    ]
    for row in top:
        row.parts = children.get(row.pk, [])  # type: ignore[attr-defined]
    return top[:50]


def asset_history(*, user: User, asset: Asset) -> dict:
    """What happened to an asset: its work orders (the ones ``user`` sees) and its cases,
    newest first; its components; its contracts. Four queries."""
    return {
        "work_orders": list(
            work_orders_visible_to(user)
            .filter(asset=asset)
            .select_related("technician")
            .order_by("-created_at", "-id")[:100]
        ),
        "cases": list(asset.cases.select_related("owner").order_by("-created_at", "-id")[:100]),
        "components": list(asset.components.select_related("product").order_by("serial_number")),
        "contracts": list(asset_contracts(asset=asset)),
    }


# --- contracts and coverage -------------------------------------------------------------


def contracts_visible_to(user: User | None) -> QuerySet[ServiceContract]:
    live = ServiceContract.objects.filter(customer__merged_into__isnull=True)
    return live if user is None else live.filter(scope_filter(user, "customer__"))


def contract_get(*, user: User | None, contract_id: int) -> ServiceContract:
    contract = (
        contracts_visible_to(user)
        .select_related("customer", "owner", "sla_policy")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise NotFound(
            _("Contract %(id)s does not exist or is not visible to you.") % {"id": contract_id}
        )
    return contract


def asset_contracts(*, asset: Asset) -> QuerySet[ServiceContract]:
    """Every contract or warranty of the asset's customer naming the asset or its product."""
    return (
        ServiceContract.objects.filter(customer_id=asset.customer_id)
        .filter(Q(assets=asset) | Q(products=asset.product_id))
        .distinct()
        .order_by("-ends_on", "id")
    )


@dataclass
class Coverage:
    """Whether an asset is covered on a day, by what, and what is left of it."""

    covered: bool
    contract: ServiceContract | None = None
    reason: str = ""
    visits_left: int | None = None
    hours_left: Decimal | None = None
    others: list[ServiceContract] = field(default_factory=list)

    @property
    def tone(self) -> str:
        return "success" if self.covered else "danger"


def asset_coverage(asset: Asset | None, on: datetime.date | None = None) -> Coverage:
    """Is ``asset`` covered on ``on`` (today)? By an active contract or warranty in force
    naming it or its product (a cancelled one until its cancellation date), with visits
    and hours left; a contract is preferred to a
    warranty, then the one ending last. One query."""
    if asset is None:
        return Coverage(False, reason=_("No asset: nothing to cover."))
    on = on or timezone.localdate()
    in_force = list(asset_contracts(asset=asset).filter(ServiceContract.in_force_q(on)))
    if not in_force:
        return Coverage(False, reason=_("No contract or warranty in force covers this asset."))
    usable = [
        c
        for c in in_force
        if (c.visits_left is None or c.visits_left > 0)
        and (c.hours_left is None or c.hours_left > 0)
    ]
    if not usable:
        exhausted = in_force[0]
        return Coverage(
            False,
            contract=exhausted,
            reason=_("%(contract)s has no visits or hours left.") % {"contract": exhausted.name},
            visits_left=exhausted.visits_left,
            hours_left=exhausted.hours_left,
        )
    usable.sort(key=lambda c: (c.kind != ServiceContract.Kind.CONTRACT, -c.ends_on.toordinal()))
    best = usable[0]
    return Coverage(
        True,
        contract=best,
        reason=_("%(kind)s %(name)s until %(date)s")
        % {"kind": best.get_kind_display(), "name": best.name, "date": best.ends_on.isoformat()},
        visits_left=best.visits_left,
        hours_left=best.hours_left,
        others=usable[1:],
    )


def contracts_ending(*, within_days: int | None = None, today: datetime.date | None = None):
    """Active contracts ending within their renewal notice (or ``within_days``) from
    ``today`` that were neither alerted nor renewed yet."""
    today = today or timezone.localdate()
    qs = ServiceContract.objects.filter(
        status=ServiceContract.Status.ACTIVE,
        ends_on__gte=today,
        ends_on__lte=today + datetime.timedelta(days=within_days or 366),
        renewal_alerted_at__isnull=True,
        renewal__isnull=True,
    ).select_related("owner", "customer")
    return [
        c
        for c in qs
        if c.ends_on <= today + datetime.timedelta(days=within_days or c.renewal_notice_days)
    ]


# --- work orders ------------------------------------------------------------------------


def _sees_every_order(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def _team_members(user: User) -> QuerySet[User]:
    from panorama.accounts.models import Team

    teams = Team.objects.filter(
        Q(managers=user) | Q(parent__managers=user) | Q(parent__parent__managers=user)
    )
    return User.objects.filter(teams__in=teams)


def work_orders_visible_to(user: User | None) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.filter(customer__merged_into__isnull=True)
    if user is None or _sees_every_order(user):
        return qs
    mine = Q(technician_id=user.pk) | Q(created_by_id=user.pk)
    if permissions.can(user, "service.dispatch"):
        if user.has_perm("service.change_workorder"):
            mine = Q()
        else:
            mine |= Q(technician__isnull=True) | Q(technician__in=_team_members(user))
    if mine:
        qs = qs.filter(pk__in=WorkOrder.objects.filter(mine).values("pk"))
    scope = scope_filter(user, "customer__")
    return qs.filter(scope) if scope else qs


def work_order_get(*, user: User | None, work_order_id: int, for_update: bool = False) -> WorkOrder:
    qs = work_orders_visible_to(user)
    if for_update:
        qs = qs.select_for_update()
    else:
        qs = qs.select_related(
            "customer", "asset__product", "case", "technician", "contract", "plan"
        )
    order = qs.filter(pk=work_order_id).first()
    if order is None:
        raise NotFound(
            _("Work order %(id)s does not exist or is not visible to you.") % {"id": work_order_id}
        )
    return order


def work_order_list(
    *,
    user: User,
    status: str = "",
    technician_id: int | None = None,
    customer_id: int | None = None,
    limit: int = 50,
    cursor: str = "",
):
    from panorama.core.pagination import Keyset

    qs = work_orders_visible_to(user).select_related("customer", "asset__product", "technician")
    if status:
        qs = qs.filter(status=status)
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return Keyset("-id", types=(int,)).page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def technicians_for(user: User) -> list[TechnicianProfile]:
    """The technicians ``user`` dispatches: his teams' (everyone's for an administrator
    or a dispatcher by permission), by name. One query."""
    qs = TechnicianProfile.objects.filter(active=True, user__is_active=True).select_related("user")
    if not (_sees_every_order(user) or user.has_perm("service.change_workorder")):
        qs = qs.filter(Q(user__in=_team_members(user)) | Q(user=user)).distinct()
    return list(qs.order_by("user__first_name", "user__last_name", "user__username"))


def _local_range(day: datetime.date, days: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time())
    )
    return start, end


@dataclass
class DispatchColumn:
    id: int
    title: str
    subtitle: str
    cards: list[WorkOrder]

    @property
    def count(self) -> int:
        return len(self.cards)


def period(day: datetime.date, span: str) -> tuple[datetime.date, int]:
    """The first day and the number of days shown: the day, or its week from Monday."""
    if span == "week":
        return day - datetime.timedelta(days=day.weekday()), 7
    return day, 1


def dispatch_areas(*, user: User) -> list[str]:
    """The areas the dispatcher can filter the board by: those his technicians cover."""
    areas = {
        a.strip()
        for tech in technicians_for(user)
        for a in (tech.area or "").split(",")
        if a.strip()
    }
    return sorted(areas, key=str.casefold)


def dispatch_board(
    *, user: User, day: datetime.date, span: str = "day", area: str = ""
) -> list[DispatchColumn]:
    """The dispatch board: an "Unassigned" column (open orders nobody has), then one
    column per technician ``user`` dispatches with his open and done orders scheduled in
    the period (a day or its week). ``area``: only the technicians covering it and the
    orders there (or with no area). Three queries, whatever the number of orders."""
    from ..services.workorder import same_area

    first, days = period(day, span)
    start, end = _local_range(first, days)
    technicians = technicians_for(user)
    if area:
        technicians = [t for t in technicians if t.area and same_area(t.area, area)]
    visible = work_orders_visible_to(user)
    if area:
        visible = visible.filter(Q(area__iexact=area) | Q(area=""))
    orders = list(
        visible.filter(
            Q(technician__isnull=True, status__in=WorkOrder.OPEN_STATUSES)
            | Q(
                technician__in=[t.user_id for t in technicians],
                scheduled_start__gte=start,
                scheduled_start__lt=end,
            )
            | Q(
                technician__in=[t.user_id for t in technicians],
                scheduled_start__isnull=True,
                status__in=WorkOrder.OPEN_STATUSES,
            )
        )
        .exclude(status=WorkOrder.Status.CANCELLED)
        .select_related("customer", "asset__product")
        .order_by("scheduled_start", "id")[:500]
    )
    columns = [DispatchColumn(0, _("Unassigned"), "", [])]
    by_user = {}
    for tech in technicians:
        subtitle = " · ".join(filter(None, [tech.area, ", ".join(tech.skill_list())]))
        column = DispatchColumn(
            tech.user_id, tech.user.get_full_name() or tech.user.username, subtitle, []
        )
        by_user[tech.user_id] = column
        columns.append(column)
    for order in orders:
        target = by_user.get(order.technician_id) if order.technician_id else columns[0]
        if target is not None:
            target.cards.append(order)
    return columns


def my_day(*, user: User, day: datetime.date | None = None) -> list[WorkOrder]:
    """The technician's orders of ``day`` (today), and the ones left open from earlier
    days, by time. One query."""
    day = day or timezone.localdate()
    start, end = _local_range(day, 1)
    return list(
        WorkOrder.objects.filter(technician=user, customer__merged_into__isnull=True)
        .filter(
            Q(scheduled_start__gte=start, scheduled_start__lt=end)
            | Q(scheduled_start__lt=start, status__in=WorkOrder.OPEN_STATUSES)
        )
        .exclude(status=WorkOrder.Status.CANCELLED)
        .select_related("customer", "asset__product")
        .order_by("scheduled_start", "id")[:100]
    )


def work_orders_for_case(*, user: User, case: Case) -> list[WorkOrder]:
    return list(
        work_orders_visible_to(user)
        .filter(case=case)
        .select_related("technician")
        .order_by("-created_at")[:20]
    )


# --- parts ------------------------------------------------------------------------------


def van_of(user: User) -> StockLocation | None:
    return StockLocation.objects.filter(
        technician=user, kind=StockLocation.Kind.VAN, active=True
    ).first()


def stock_locations() -> list[StockLocation]:
    return list(StockLocation.objects.filter(active=True).select_related("technician"))


def stock_levels(
    *, location_id: int | None = None, low_only: bool = False, limit: int = 500
) -> list[StockLevel]:
    """Stock per location and part (one query); ``low_only``: those below their minimum,
    the reorder list."""
    from django.db.models import F

    qs = StockLevel.objects.filter(location__active=True, part__active=True).select_related(
        "location__technician", "part"
    )
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    if low_only:
        qs = qs.filter(quantity__lt=F("minimum"))
    return list(qs.order_by("location__kind", "location__name", "part__name")[:limit])
