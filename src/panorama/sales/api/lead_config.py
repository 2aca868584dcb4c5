"""The lead configuration API (administrators, ``sales.configure``): scoring rules,
assignment rules and web forms — list, create, patch (``active: false`` deactivates).
The same service as the staff screens: same validation, same messages."""

from typing import Any

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from ..services.lead_config import lead_config_save, lead_configs

router = Router(tags=["lead settings"])


class ScoringRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    field: str | None = None
    operator: str | None = None
    value: str | None = None
    activity_kind: str | None = None
    max_points: int | None = None
    points: int | None = None
    active: bool | None = None
    position: int | None = None


class ScoringRuleOut(Schema):
    id: int
    name: str
    kind: str
    field: str
    operator: str
    value: str
    activity_kind: str
    max_points: int | None
    points: int
    active: bool
    position: int


class AssignmentRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    countries: str | None = None
    regions: str | None = None
    postal_prefixes: str | None = None
    field: str | None = None
    operator: str | None = None
    value: str | None = None
    team_id: int | None = None
    owner_id: int | None = None
    capacity: int | None = None
    active: bool | None = None
    position: int | None = None


class AssignmentRuleOut(Schema):
    id: int
    name: str
    kind: str
    countries: str
    regions: str
    postal_prefixes: str
    field: str
    operator: str
    value: str
    team_id: int
    owner_id: int | None
    capacity: int | None
    active: bool
    position: int


class WebFormIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    fields: list[str] | None = None
    required_fields: list[str] | None = None
    team_id: int | None = None
    allowed_origins: str | None = None
    thank_you_url: str | None = None
    active: bool | None = None


class WebFormOut(Schema):
    id: int
    name: str
    token: str
    fields: list[str]
    required_fields: list[str]
    team_id: int | None
    allowed_origins: str
    thank_you_url: str
    active: bool


def _values(payload: Schema) -> dict[str, Any]:
    """What was given; ``team_id``/``owner_id`` name the service's ``team``/``owner``;
    a null means "leave as is", except for the keys that may be emptied."""
    given = payload.dict(exclude_unset=True)
    values = {}
    for name, value in given.items():
        key = name.removesuffix("_id") if name in ("team_id", "owner_id") else name
        if value is None and key not in ("owner", "team", "max_points", "capacity"):
            continue
        values[key] = value
    return values


@router.get("/lead-settings/scoring-rules", response=list[ScoringRuleOut])
def scoring_rules(request):
    return lead_configs(user=request.user, kind="scoring")


@router.post("/lead-settings/scoring-rules", response={201: ScoringRuleOut})
def scoring_rule_create(request, payload: ScoringRuleIn):
    rule = lead_config_save(by=request.user, kind="scoring", values=_values(payload))
    return Status(201, rule)


@router.patch("/lead-settings/scoring-rules/{rule_id}", response=ScoringRuleOut)
def scoring_rule_patch(request, rule_id: int, payload: ScoringRuleIn):
    return lead_config_save(
        by=request.user, kind="scoring", obj_id=rule_id, values=_values(payload)
    )


@router.get("/lead-settings/assignment-rules", response=list[AssignmentRuleOut])
def assignment_rules(request):
    return lead_configs(user=request.user, kind="assignment")


@router.post("/lead-settings/assignment-rules", response={201: AssignmentRuleOut})
def assignment_rule_create(request, payload: AssignmentRuleIn):
    rule = lead_config_save(by=request.user, kind="assignment", values=_values(payload))
    return Status(201, rule)


@router.patch("/lead-settings/assignment-rules/{rule_id}", response=AssignmentRuleOut)
def assignment_rule_patch(request, rule_id: int, payload: AssignmentRuleIn):
    return lead_config_save(
        by=request.user, kind="assignment", obj_id=rule_id, values=_values(payload)
    )


@router.get("/lead-settings/web-forms", response=list[WebFormOut])
def web_forms(request):
    return lead_configs(user=request.user, kind="webform")


@router.post("/lead-settings/web-forms", response={201: WebFormOut})
def web_form_create(request, payload: WebFormIn):
    form = lead_config_save(by=request.user, kind="webform", values=_values(payload))
    return Status(201, form)


@router.patch("/lead-settings/web-forms/{form_id}", response=WebFormOut)
def web_form_patch(request, form_id: int, payload: WebFormIn):
    return lead_config_save(
        by=request.user, kind="webform", obj_id=form_id, values=_values(payload)
    )
