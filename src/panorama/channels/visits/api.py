"""/api/v1/channels/branches and /api/v1/channels/visits: where customers are received,
and a visit logged with the customer identified at the desk."""

from ninja import Router, Status

from ..schemas import InteractionOut
from . import services
from .models import Branch
from .schemas import BranchIn, BranchOut, VisitIn

router = Router(tags=["in person"])


@router.get("/channels/branches", response=list[BranchOut])
def branch_list(request):
    return list(Branch.objects.filter(active=True))


@router.post("/channels/branches", response={201: BranchOut})
def branch_create(request, payload: BranchIn):
    return Status(201, services.branch_save(by=request.user, branch=Branch(**payload.dict())))


@router.post("/channels/visits", response={201: InteractionOut})
def visit_log(request, payload: VisitIn):
    """Log a visit; the customer is identified by document, card or (chosen, then) PIN."""
    return Status(201, services.visit_log(by=request.user, **payload.dict()))
