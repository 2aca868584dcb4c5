"""Queues through the API: /api/v1/service/queues, with their members and skills.

Every signed-in user reads them. Writes are the service set-up page's through the same
service (``services/setup.queue_save``): ``service.configure`` (403 before the body is
looked at) and the same refusals, as a 422 naming the field."""

from ninja import Field, Router, Schema, Status

from panorama.accounts.permissions import ensure_can

from ..models import Queue, QueueMember
from ..selectors import setup as selectors
from ..services.setup import Member, queue_save

router = Router(tags=["service set-up"])


class MemberIn(Schema):
    user_id: int
    skills: list[str] = Field([], description='free codes a case may need: "billing", "fibre"')
    active: bool = Field(True, description="taking cases")


class QueueIn(Schema):
    name: str = Field(max_length=100)
    description: str = ""
    email: str = Field("", description="the address its cases' e-mail comes from")
    active: bool = True
    members: list[MemberIn] = []


class QueuePatch(Schema):
    name: str | None = Field(None, max_length=100)
    description: str | None = None
    email: str | None = None
    active: bool | None = None
    members: list[MemberIn] | None = Field(None, description="replaces the members when given")


class MemberOut(Schema):
    user_id: int
    username: str = Field(alias="user.username")
    name: str
    skills: list[str]
    active: bool

    @staticmethod
    def resolve_name(obj: QueueMember) -> str:
        return obj.user.get_full_name() or obj.user.username


class QueueOut(Schema):
    id: int
    name: str
    description: str
    email: str
    active: bool
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Queue) -> list:
        return list(obj.memberships.all())  # prefetched by the selectors


def _members(rows: list[dict] | None) -> list[Member] | None:
    if rows is None:
        return None
    # ``exclude_unset`` (a PATCH) leaves a member's defaults out: put them back.
    return [Member(r["user_id"], tuple(r.get("skills", ())), r.get("active", True)) for r in rows]


@router.get("/service/queues", response=list[QueueOut])
def queue_list(request):
    return selectors.queues()


@router.get("/service/queues/{queue_id}", response=QueueOut)
def queue_detail(request, queue_id: int):
    return selectors.queue_get(queue_id=queue_id)


@router.post("/service/queues", response={201: QueueOut})
def queue_create(request, payload: QueueIn):
    ensure_can(request.user, "service.configure")
    data = payload.dict()
    members = _members(data.pop("members"))
    queue = queue_save(by=request.user, changes=data, members=members)
    return Status(201, selectors.queue_get(queue_id=queue.pk))


@router.patch(
    "/service/queues/{queue_id}",
    response=QueueOut,
    description="Change some details; `members`, when given, replaces the members.",
)
def queue_update(request, queue_id: int, payload: QueuePatch):
    ensure_can(request.user, "service.configure")
    queue = selectors.queue_get(queue_id=queue_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    members = _members(changes.pop("members", None))
    queue_save(by=request.user, queue=queue, changes=changes, members=members)
    return selectors.queue_get(queue_id=queue_id)
