"""Configuring the sales process: pipelines and their stages, lost reasons, competitors.

Sales managers and administrators only (``sales.configure_pipelines``). Every change is one
transaction, validated by the models' own rules, and emits ``sales.configured``.
"""

from typing import Any

from django.db import transaction
from django.db.models import Max, Model
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.validation import rules_for

from ..models import Competitor, LostReason, Pipeline, Stage

PIPELINE_FIELDS = {"name", "currency", "is_default", "active", "position"}
STAGE_FIELDS = {"name", "kind", "probability", "forecast_category", "required_fields", "position"}
NAMED_FIELDS = {"name", "active", "position"}
COMPETITOR_FIELDS = {"name", "website"}
MAX_POSITION = 2**31 - 1


def _configured(obj: Model, action: str, by: User | None) -> None:
    emit(
        "sales.configured",
        model=obj._meta.model_name,
        object_id=obj.pk,
        action=action,
        by=by.pk if by else None,
    )


def _apply(obj: Model, changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "position" and not (isinstance(value, int) and 0 <= value <= MAX_POSITION):
            raise ValidationFailed(
                _("A position is a whole number from 0 to %(max)s.") % {"max": MAX_POSITION},
                field="position",
            )
        setattr(obj, name, value)


def _unique_name(model: type[Model], obj: Model, *, message: str, **scope: Any) -> None:
    name = getattr(obj, "name", "")
    if not name:
        raise ValidationFailed(_("A name is needed."), field="name")
    taken = model._default_manager.filter(name__iexact=name, **scope).exclude(pk=obj.pk)
    if taken.exists():
        raise ValidationFailed(message % {"name": name}, field="name")


# --- pipelines ---------------------------------------------------------------------------


def _pipeline_check(pipeline: Pipeline) -> None:
    pipeline.currency = (pipeline.currency or "").upper()
    code = pipeline.currency
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        raise ValidationFailed(_("A currency is a three-letter ISO code."), field="currency")
    _unique_name(Pipeline, pipeline, message=_("There is already a pipeline “%(name)s”."))
    rules_for(Pipeline).check(pipeline)


def _only_default(pipeline: Pipeline) -> None:
    if pipeline.is_default:
        Pipeline.objects.exclude(pk=pipeline.pk).filter(is_default=True).update(is_default=False)


@transaction.atomic
def pipeline_create(*, by: User | None, **values: Any) -> Pipeline:
    """A new pipeline (``name``, ``currency``, ``is_default``, ``active``, ``position``)."""
    ensure_can(by, "sales.configure_pipelines")
    pipeline = Pipeline()
    _apply(pipeline, values, PIPELINE_FIELDS)
    if "position" not in values:
        pipeline.position = (Pipeline.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    _pipeline_check(pipeline)
    pipeline.save()
    _only_default(pipeline)
    _configured(pipeline, "created", by)
    return pipeline


def _get(model: type[Model], pk: int, message: str) -> Any:
    obj = model._default_manager.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound(message % {"id": pk})
    return obj


@transaction.atomic
def pipeline_update(*, by: User | None, pipeline_id: int, changes: dict[str, Any]) -> Pipeline:
    ensure_can(by, "sales.configure_pipelines")
    pipeline = _get(Pipeline, pipeline_id, _("Pipeline %(id)s does not exist."))
    _apply(pipeline, changes, PIPELINE_FIELDS)
    _pipeline_check(pipeline)
    pipeline.save()
    _only_default(pipeline)
    _configured(pipeline, "updated", by)
    return pipeline


# --- stages ------------------------------------------------------------------------------


def _closed_defaults(stage: Stage, values: dict[str, Any]) -> None:
    """A won stage is 100 % and closed, a lost one 0 % and omitted, unless told."""
    kind = values.get("kind")
    if kind == Stage.Kind.WON:
        stage.probability, stage.forecast_category = 100, Stage.ForecastCategory.CLOSED
    elif kind == Stage.Kind.LOST:
        stage.probability, stage.forecast_category = 0, Stage.ForecastCategory.OMITTED


def _stage_check(stage: Stage) -> None:
    _unique_name(
        Stage,
        stage,
        message=_("This pipeline already has a stage “%(name)s”."),
        pipeline_id=stage.pipeline_id,
    )
    rules_for(Stage).check(stage)
    if not isinstance(stage.probability, int) or not 0 <= stage.probability <= 100:
        raise ValidationFailed(_("A probability is between 0 and 100."), field="probability")
    required = stage.required_fields
    if not isinstance(required, list) or any(f not in Stage.REQUIRABLE for f in required):
        raise ValidationFailed(
            _("A stage can require only these fields: %(f)s.") % {"f": ", ".join(Stage.REQUIRABLE)},
            field="required_fields",
        )
    stage.required_fields = list(dict.fromkeys(required))
    if stage.kind == Stage.Kind.WON and stage.probability != 100:
        raise ValidationFailed(_("A won stage has a probability of 100."), field="probability")
    if stage.kind == Stage.Kind.LOST and stage.probability != 0:
        raise ValidationFailed(_("A lost stage has a probability of 0."), field="probability")


@transaction.atomic
def stage_create(*, by: User | None, pipeline_id: int, **values: Any) -> Stage:
    """A new stage at the end of the pipeline (or at ``position``)."""
    ensure_can(by, "sales.configure_pipelines")
    pipeline = _get(Pipeline, pipeline_id, _("Pipeline %(id)s does not exist."))
    stage = Stage(pipeline=pipeline)
    _closed_defaults(stage, values)
    _apply(stage, values, STAGE_FIELDS)
    if "position" not in values:
        stage.position = (pipeline.stages.aggregate(m=Max("position"))["m"] or -1) + 1
    _stage_check(stage)
    stage.save()
    _configured(stage, "created", by)
    return stage


@transaction.atomic
def stage_update(*, by: User | None, stage_id: int, changes: dict[str, Any]) -> Stage:
    """Change a stage. Its kind cannot change while opportunities sit in it (their
    status repeats the kind)."""
    ensure_can(by, "sales.configure_pipelines")
    stage = _get(Stage, stage_id, _("Stage %(id)s does not exist."))
    kind_before = stage.kind
    if changes.get("kind", kind_before) != kind_before:
        _closed_defaults(stage, changes)
    _apply(stage, changes, STAGE_FIELDS)
    _stage_check(stage)
    if stage.kind != kind_before and stage.opportunities.exists():
        raise Conflict(
            _("Opportunities are in “%(stage)s”: move them before changing its kind.")
            % {"stage": stage.name},
            field="kind",
        )
    stage.save()
    _configured(stage, "updated", by)
    return stage


@transaction.atomic
def stage_reorder(*, by: User | None, pipeline_id: int, stage_ids: list[int]) -> list[Stage]:
    """Put the pipeline's stages in the order of ``stage_ids`` (every one, once)."""
    ensure_can(by, "sales.configure_pipelines")
    pipeline = _get(Pipeline, pipeline_id, _("Pipeline %(id)s does not exist."))
    stages = {s.pk: s for s in pipeline.stages.all()}
    if sorted(stage_ids) != sorted(stages):
        raise ValidationFailed(
            _("Give every stage of the pipeline once, in the new order."), field="stage_ids"
        )
    ordered = [stages[pk] for pk in stage_ids]
    for position, stage in enumerate(ordered):
        stage.position = position
    Stage.objects.bulk_update(ordered, ["position"])
    _configured(pipeline, "reordered", by)
    return ordered


@transaction.atomic
def stage_delete(*, by: User | None, stage_id: int) -> None:
    """Remove a stage no opportunity has ever been in (history keeps every stage)."""
    ensure_can(by, "sales.configure_pipelines")
    stage = _get(Stage, stage_id, _("Stage %(id)s does not exist."))
    from ..models import StageChange

    used = stage.opportunities.exists() or StageChange.objects.filter(to_stage=stage).exists()
    if used:
        raise Conflict(
            _("“%(stage)s” has held opportunities: it stays for their history.")
            % {"stage": stage.name},
            field="stage",
        )
    _configured(stage, "deleted", by)
    stage.delete()


# --- lost reasons and competitors --------------------------------------------------------


@transaction.atomic
def lost_reason_create(*, by: User | None, **values: Any) -> LostReason:
    ensure_can(by, "sales.configure_pipelines")
    reason = LostReason()
    _apply(reason, values, NAMED_FIELDS)
    _unique_name(LostReason, reason, message=_("There is already a lost reason “%(name)s”."))
    rules_for(LostReason).check(reason)
    reason.save()
    _configured(reason, "created", by)
    return reason


@transaction.atomic
def lost_reason_update(*, by: User | None, reason_id: int, changes: dict[str, Any]) -> LostReason:
    ensure_can(by, "sales.configure_pipelines")
    reason = _get(LostReason, reason_id, _("Lost reason %(id)s does not exist."))
    _apply(reason, changes, NAMED_FIELDS)
    _unique_name(LostReason, reason, message=_("There is already a lost reason “%(name)s”."))
    rules_for(LostReason).check(reason)
    reason.save()
    _configured(reason, "updated", by)
    return reason


def _competitor_check(competitor: Competitor) -> None:
    _unique_name(Competitor, competitor, message=_("There is already a competitor “%(name)s”."))
    rules_for(Competitor).check(competitor)
    if competitor.website:
        rules_for(Competitor)._clean("website", competitor.website)


@transaction.atomic
def competitor_create(*, by: User | None, **values: Any) -> Competitor:
    ensure_can(by, "sales.configure_pipelines")
    competitor = Competitor()
    _apply(competitor, values, COMPETITOR_FIELDS)
    _competitor_check(competitor)
    competitor.save()
    _configured(competitor, "created", by)
    return competitor


@transaction.atomic
def competitor_update(
    *, by: User | None, competitor_id: int, changes: dict[str, Any]
) -> Competitor:
    ensure_can(by, "sales.configure_pipelines")
    competitor = _get(Competitor, competitor_id, _("Competitor %(id)s does not exist."))
    _apply(competitor, changes, COMPETITOR_FIELDS)
    _competitor_check(competitor)
    competitor.save()
    _configured(competitor, "updated", by)
    return competitor
