"""Possible duplicates, merges and their undo.

Scanning reads every customer, so it is for administrators and sales managers; merging,
dismissing and undoing need a role that can edit customers, and only on pairs whose two
customers the user sees (others answer 404).
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers.models import Customer
from panorama.customers.selectors import scope_filter

from . import selectors
from .models import DuplicateCandidate
from .schemas import (
    DirectMergeIn,
    DuplicateFilters,
    DuplicateOut,
    DuplicatePageOut,
    MergeIn,
    MergeOut,
    ScanOut,
)
from .services import scan as services

router = Router(tags=["duplicates"])


def _customer(user, customer_id: int, field: str) -> Customer:
    """A customer the user sees, merged or not (merging an already merged one is a 409)."""
    customer = Customer.objects.filter(scope_filter(user), pk=customer_id).first()
    if customer is None:
        raise NotFound(
            _("Customer %(id)s does not exist or is not visible to you.") % {"id": customer_id},
            field=field,
        )
    return customer


@router.post("/duplicates/scan", response={202: ScanOut}, summary="Look for duplicates (queued)")
def duplicates_scan(request):
    result = services.duplicates_scan_request(by=request.user)
    return Status(202, {"task_id": str(result.id), "status": str(result.status)})


@router.get("/duplicates", response=DuplicatePageOut, summary="Possible duplicates to review")
def duplicate_list(request, filters: Query[DuplicateFilters]):
    page = selectors.duplicate_candidates(
        user=request.user, status=filters.status, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/duplicates/{candidate_id}/merge", response={201: MergeOut})
def duplicate_merge(request, candidate_id: int, payload: MergeIn):
    candidate = selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)
    pair = {
        candidate.customer_a_id: candidate.customer_a,
        candidate.customer_b_id: candidate.customer_b,
    }
    if payload.survivor_id not in pair:
        raise ValidationFailed(
            _("The customer to keep must be one of the pair: %(a)s or %(b)s.")
            % {"a": candidate.customer_a_id, "b": candidate.customer_b_id},
            field="survivor_id",
        )
    if candidate.status == DuplicateCandidate.Status.MERGED:
        raise Conflict(_("These customers were already merged."))
    survivor = pair.pop(payload.survivor_id)
    merged = next(iter(pair.values()))
    merge = services.customer_merge(survivor=survivor, merged=merged, by=request.user)
    return Status(201, selectors.merge_get(user=request.user, merge_id=merge.pk))


@router.post("/duplicates/{candidate_id}/dismiss", response=DuplicateOut)
def duplicate_dismiss(request, candidate_id: int):
    candidate = selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)
    services.duplicate_dismiss(candidate=candidate, by=request.user)
    return selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)


@router.get("/merges", response=list[MergeOut], summary="Recent merges")
def merge_list(request, limit: int = 20):
    return selectors.merge_list(user=request.user, limit=limit)


@router.post("/merges", response={201: MergeOut}, summary="Merge two customers")
def merge_create(request, payload: DirectMergeIn):
    if payload.survivor_id == payload.merged_id:
        raise ValidationFailed(_("A customer cannot be merged into itself."), field="merged_id")
    survivor = _customer(request.user, payload.survivor_id, "survivor_id")
    merged = _customer(request.user, payload.merged_id, "merged_id")
    merge = services.customer_merge(survivor=survivor, merged=merged, by=request.user)
    return Status(201, selectors.merge_get(user=request.user, merge_id=merge.pk))


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def merge_undo(request, merge_id: int):
    merge = selectors.merge_get(user=request.user, merge_id=merge_id)
    services.customer_merge_undo(merge=merge, by=request.user)
    return selectors.merge_get(user=request.user, merge_id=merge_id)
