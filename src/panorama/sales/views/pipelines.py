"""The sales configuration screens (sales managers and administrators): pipelines and
their stages in order, lost reasons, competitors. Every change goes through the
configuration services (``services/pipeline.py``), which check ``sales.configure_pipelines``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError, NotFound

from .. import selectors
from ..forms.pipelines import (
    ApprovalThresholdForm,
    CompetitorForm,
    LostReasonForm,
    PipelineForm,
    StageForm,
    StageNewForm,
)
from ..models import Competitor, Pipeline, Stage
from ..services import pipeline as config
from ..services.settings import Key, sales_setting, sales_setting_change, sales_setting_history


def _page(request, *, status: int = 200, **forms):
    context = {
        "pipelines": list(selectors.pipelines_all()),
        "lost_reasons": list(selectors.lost_reasons()),
        "competitors": list(selectors.competitors()),
        "pipeline_form": forms.get("pipeline_form") or PipelineForm(prefix="pipeline"),
        "stage_form": forms.get("stage_form") or StageNewForm(prefix="stage"),
        "reason_form": forms.get("reason_form") or LostReasonForm(prefix="reason"),
        "competitor_form": forms.get("competitor_form") or CompetitorForm(prefix="competitor"),
        "threshold": sales_setting(Key.QUOTE_APPROVAL_DISCOUNT),
        "threshold_history": sales_setting_history(Key.QUOTE_APPROVAL_DISCOUNT),
        "threshold_form": forms.get("threshold_form")
        or ApprovalThresholdForm(
            prefix="approval",
            initial={"threshold": sales_setting(Key.QUOTE_APPROVAL_DISCOUNT).normalize()},
        ),
    }
    return render(request, "sales/pipelines.html", context, status=status)


@require_GET
def pipeline_settings(request):
    ensure_can(request.user, "sales.configure_pipelines")
    return _page(request)


def _saved(request, text: str):
    messages.success(request, text)
    return redirect("sales:pipeline_settings")


@require_POST
def pipeline_new(request):
    form = PipelineForm(request.POST, prefix="pipeline")
    if form.is_valid():
        try:
            config.pipeline_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _saved(request, _("Pipeline created."))
    else:
        ensure_can(request.user, "sales.configure_pipelines")
    return _page(request, status=422, pipeline_form=form)


@require_POST
def stage_new(request):
    form = StageNewForm(request.POST, prefix="stage")
    if form.is_valid():
        try:
            pipeline_id = form.cleaned_data["pipeline"].pk
            config.stage_create(by=request.user, pipeline_id=pipeline_id, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _saved(request, _("Stage added."))
    else:
        ensure_can(request.user, "sales.configure_pipelines")
    return _page(request, status=422, stage_form=form)


@require_POST
def stage_shift(request, stage_id: int, step: int):
    """Move a stage one place up (-1) or down (+1) in its pipeline."""
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage %(id)s does not exist.") % {"id": stage_id})
    ids = list(
        Stage.objects.filter(pipeline_id=stage.pipeline_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    at = ids.index(stage.pk)
    other = at + (1 if step > 0 else -1)
    if 0 <= other < len(ids):
        ids[at], ids[other] = ids[other], ids[at]
    config.stage_reorder(by=request.user, pipeline_id=stage.pipeline_id, stage_ids=ids)
    return _saved(request, _("Order saved."))


@require_POST
def stage_delete(request, stage_id: int):
    try:
        config.stage_delete(by=request.user, stage_id=stage_id)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return redirect("sales:pipeline_settings")
    return _saved(request, _("Stage removed."))


def _edit(request, *, form_class, instance, initial, save, title, back_text):
    ensure_can(request.user, "sales.configure_pipelines")
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                save(form)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                return _saved(request, back_text)
    else:
        form = form_class(initial=initial)
    return render(
        request,
        "sales/pipeline_edit.html",
        {"form": form, "title": title, "instance": instance},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def stage_edit(request, stage_id: int):
    stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage %(id)s does not exist.") % {"id": stage_id})
    initial = {
        name: getattr(stage, name)
        for name in ("name", "kind", "probability", "forecast_category", "required_fields")
    }
    return _edit(
        request,
        form_class=StageForm,
        instance=stage,
        initial=initial,
        save=lambda form: config.stage_update(
            by=request.user, stage_id=stage.pk, changes=form.values()
        ),
        title=_("Edit the stage “%(name)s”") % {"name": stage.name},
        back_text=_("Stage saved."),
    )


@require_http_methods(["GET", "POST"])
def pipeline_edit(request, pipeline_id: int):
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("Pipeline %(id)s does not exist.") % {"id": pipeline_id})
    initial = {n: getattr(pipeline, n) for n in ("name", "currency", "is_default", "active")}
    return _edit(
        request,
        form_class=PipelineForm,
        instance=pipeline,
        initial=initial,
        save=lambda form: config.pipeline_update(
            by=request.user, pipeline_id=pipeline.pk, changes=form.cleaned_data
        ),
        title=_("Edit the pipeline “%(name)s”") % {"name": pipeline.name},
        back_text=_("Pipeline saved."),
    )


@require_POST
def lost_reason_new(request):
    form = LostReasonForm(request.POST, prefix="reason")
    if form.is_valid():
        try:
            config.lost_reason_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _saved(request, _("Lost reason added."))
    else:
        ensure_can(request.user, "sales.configure_pipelines")
    return _page(request, status=422, reason_form=form)


@require_POST
def lost_reason_toggle(request, reason_id: int):
    reason = selectors.lost_reasons().filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("Lost reason %(id)s does not exist.") % {"id": reason_id})
    config.lost_reason_update(
        by=request.user, reason_id=reason.pk, changes={"active": not reason.active}
    )
    return _saved(request, _("Lost reason saved."))


@require_POST
def competitor_new(request):
    form = CompetitorForm(request.POST, prefix="competitor")
    if form.is_valid():
        try:
            config.competitor_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _saved(request, _("Competitor added."))
    else:
        ensure_can(request.user, "sales.configure_pipelines")
    return _page(request, status=422, competitor_form=form)


@require_http_methods(["GET", "POST"])
def competitor_edit(request, competitor_id: int):
    competitor = Competitor.objects.filter(pk=competitor_id).first()
    if competitor is None:
        raise NotFound(_("Competitor %(id)s does not exist.") % {"id": competitor_id})
    return _edit(
        request,
        form_class=CompetitorForm,
        instance=competitor,
        initial={"name": competitor.name, "website": competitor.website},
        save=lambda form: config.competitor_update(
            by=request.user, competitor_id=competitor.pk, changes=form.cleaned_data
        ),
        title=_("Edit the competitor “%(name)s”") % {"name": competitor.name},
        back_text=_("Competitor saved."),
    )


@require_POST
def approval_threshold_save(request):
    """The quote approval threshold (administrators, ``sales.configure``): audited."""
    ensure_can(request.user, "sales.configure")  # a refusal is a 403, not a form error
    form = ApprovalThresholdForm(request.POST, prefix="approval")
    if form.is_valid():
        try:
            change = sales_setting_change(
                by=request.user,
                key=Key.QUOTE_APPROVAL_DISCOUNT,
                value=form.cleaned_data["threshold"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if change is None:
                messages.info(request, _("The threshold was already that value."))
                return redirect("sales:pipeline_settings")
            return _saved(request, _("Approval threshold changed."))
    form.mark_errors()
    return _page(request, status=422, threshold_form=form)
