"""The loyalty API: /api/v1/loyalty/... Programmes are read by everyone signed in and
written with ``loyalty.manage``; members are scoped like their customers; enrolling and
redeeming need ``loyalty.operate``, adjusting ``loyalty.adjust`` (checked in services)."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from panorama.core.exceptions import ValidationFailed

from . import selectors
from .models import Movement
from .schemas import (
    AdjustIn,
    EnrolIn,
    MemberFilters,
    MemberOut,
    MemberPageOut,
    MovementOut,
    ProgrammeDetailOut,
    ProgrammeIn,
    ProgrammeOut,
    RedeemIn,
    RuleIn,
    RuleOut,
    RulePatch,
    StatementFilters,
    StatementOut,
)
from .services import members as member_services
from .services import programmes as programme_services

router = Router(tags=["loyalty"])


@router.get("/loyalty/programmes", response=list[ProgrammeOut])
def programme_list(request, active: bool | None = None):
    return list(selectors.programmes(active=active))


@router.post("/loyalty/programmes", response={201: ProgrammeOut})
def programme_create(request, payload: ProgrammeIn):
    return Status(201, programme_services.programme_save(by=request.user, **payload.dict()))


@router.get("/loyalty/programmes/{programme_id}", response=ProgrammeDetailOut)
def programme_get(request, programme_id: int):
    return selectors.programme_get(programme_id=programme_id, full=True)


@router.post("/loyalty/programmes/{programme_id}/rules", response={201: RuleOut})
def rule_create(request, programme_id: int, payload: RuleIn):
    programme = selectors.programme_get(programme_id=programme_id)
    rule = programme_services.rule_add(by=request.user, programme=programme, **payload.dict())
    return Status(201, rule)


@router.patch("/loyalty/programmes/{programme_id}/rules/{earning_rule_id}", response=RuleOut)
def rule_update(request, programme_id: int, earning_rule_id: int, payload: RulePatch):
    """Change a rule: points already earned stay; orders that earn from now on use the
    new values."""
    programme = selectors.programme_get(programme_id=programme_id)
    rule = selectors.rule_get(programme=programme, rule_id=earning_rule_id)
    changes = payload.dict(exclude_unset=True)
    return programme_services.rule_edit(by=request.user, rule=rule, changes=changes)


@router.post("/loyalty/programmes/{programme_id}/rules/{earning_rule_id}/retire", response=RuleOut)
def rule_retire(request, programme_id: int, earning_rule_id: int):
    """Retire a rule (never deleted): it earns nothing from now on; points it gave stay."""
    programme = selectors.programme_get(programme_id=programme_id)
    rule = selectors.rule_get(programme=programme, rule_id=earning_rule_id)
    return programme_services.rule_set_active(by=request.user, rule=rule, active=False)


@router.post(
    "/loyalty/programmes/{programme_id}/rules/{earning_rule_id}/reinstate", response=RuleOut
)
def rule_reinstate(request, programme_id: int, earning_rule_id: int):
    """Put a retired rule back in force: it earns again on orders from now on, never on
    the orders of the time it was retired."""
    programme = selectors.programme_get(programme_id=programme_id)
    rule = selectors.rule_get(programme=programme, rule_id=earning_rule_id)
    return programme_services.rule_set_active(by=request.user, rule=rule, active=True)


@router.get("/loyalty/members", response=MemberPageOut)
def member_list(request, filters: Query[MemberFilters]):
    page = selectors.member_page(user=request.user, **filters.dict())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/loyalty/members", response={201: MemberOut})
def member_enrol(request, payload: EnrolIn):
    membership = member_services.member_enrol(by=request.user, **payload.dict())
    return Status(201, selectors.membership_get(user=request.user, membership_id=membership.pk))


@router.get("/loyalty/members/{member_id}", response=MemberOut)
def member_get(request, member_id: int):
    return selectors.membership_get(user=request.user, membership_id=member_id)


@router.get("/loyalty/members/{member_id}/statement", response=StatementOut)
def member_statement(request, member_id: int, filters: Query[StatementFilters]):
    membership = selectors.membership_get(user=request.user, membership_id=member_id)
    if filters.kind and filters.kind not in Movement.Kind.values:
        raise ValidationFailed(
            _("Unknown movement kind %(k)s.") % {"k": filters.kind}, field="kind"
        )
    if filters.since and filters.until and filters.until < filters.since:
        raise ValidationFailed(_("The period ends before it starts."), field="until")
    page = selectors.statement(membership=membership, **filters.dict())
    return {
        "member": membership,
        "since": filters.since,
        "until": filters.until,
        "totals": selectors.statement_totals(
            membership=membership, since=filters.since, until=filters.until
        ),
        "items": page.items,
        "next_cursor": page.next_cursor,
    }


@router.post("/loyalty/members/{member_id}/redemptions", response={201: MovementOut})
def member_redeem(request, member_id: int, payload: RedeemIn):
    movement = member_services.points_redeem(
        by=request.user, membership_id=member_id, reward_id=payload.reward_id
    )
    return Status(201, movement)


@router.post("/loyalty/members/{member_id}/adjustments", response={201: MovementOut})
def member_adjust(request, member_id: int, payload: AdjustIn):
    movement = member_services.points_adjust(
        by=request.user, membership_id=member_id, points=payload.points, reason=payload.reason
    )
    return Status(201, movement)
