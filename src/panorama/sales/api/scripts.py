"""The sales scripts API: read for every user, write for ``sales.configure_pipelines``;
which scripts fit an opportunity, a customer or an agenda item."""

import datetime

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from panorama.core.pagination import Keyset
from panorama.core.validation import text_field

from .. import agenda, scripts
from ..models import Script
from ..selectors import opportunity_get
from ..services.script import script_create, script_update

router = Router(tags=["scripts"])


class ObjectionSchema(Schema):
    objection: str
    answer: str


class ScriptIn(Schema):
    title: str = text_field(Script, "title")
    body: str
    objections: list[ObjectionSchema] = []
    product_id: int | None = None
    segment: str = text_field(Script, "segment", "")
    stage_id: int | None = None
    language: str = ""
    active: bool = True


class ScriptPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = text_field(Script, "title", None)
    body: str | None = None
    objections: list[ObjectionSchema] | None = None
    product_id: int | None = None
    segment: str | None = text_field(Script, "segment", None)
    stage_id: int | None = None
    language: str | None = None
    active: bool | None = None


class ScriptOut(Schema):
    id: int
    title: str
    body: str
    objections: list[ObjectionSchema]
    product_id: int | None
    segment: str
    stage_id: int | None
    language: str
    active: bool
    updated_at: datetime.datetime


def _clean(data: dict) -> dict:
    if data.get("objections") is not None:
        data["objections"] = [dict(o) for o in data["objections"]]
    for name in ("title", "body", "segment", "language"):
        if name in data and data[name] is None:
            data.pop(name)
    if "active" in data and data["active"] is None:
        data.pop("active")
    return data


class ScriptPageOut(Schema):
    items: list[ScriptOut]
    next_cursor: str | None


BY_TITLE = Keyset("title", "id", types=(str, int))


@router.get("/scripts", response=ScriptPageOut)
def script_list(request, active: bool | None = None, cursor: str = "", limit: int = 50):
    """Every sales script (configuration: every user reads them), by title (keyset)."""
    qs = scripts.scripts_all()
    if active is not None:
        qs = qs.filter(active=active)
    page = BY_TITLE.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/scripts", response={201: ScriptOut})
def script_new(request, payload: ScriptIn):
    script = script_create(by=request.user, **_clean(payload.dict()))
    return Status(201, scripts.script_get(script_id=script.pk))


@router.get("/scripts/{script_id}", response=ScriptOut)
def script_detail(request, script_id: int):
    return scripts.script_get(script_id=script_id)


@router.patch("/scripts/{script_id}", response=ScriptOut)
def script_edit(request, script_id: int, payload: ScriptPatch):
    script_update(
        by=request.user,
        script_id=script_id,
        changes=_clean(payload.dict(exclude_unset=True)),
    )
    return scripts.script_get(script_id=script_id)


@router.get("/scripts-for", response=list[ScriptOut])
def scripts_fitting(
    request,
    opportunity_id: int | None = None,
    customer_id: int | None = None,
    activity_id: int | None = None,
):
    """The scripts that fit an opportunity, a customer or an agenda item the caller
    sees (404 otherwise)."""
    from panorama.customers.selectors import customer_get

    opportunity = customer = activity = None
    if opportunity_id is not None:
        opportunity = opportunity_get(user=request.user, opportunity_id=opportunity_id)
    if customer_id is not None:
        customer = customer_get(user=request.user, customer_id=customer_id)
    if activity_id is not None:
        activity = agenda.activity_get(user=request.user, activity_id=activity_id)
    return scripts.scripts_for(opportunity=opportunity, customer=customer, activity=activity)
