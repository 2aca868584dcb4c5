"""Opportunity pages: the list (the shared list component), the page of one with its
stage history and timeline, its edit form, a move from the page, a new one from the
ficha."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError
from panorama.core.lists import (
    BulkAction,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    list_response,
)
from panorama.core.pagination import Keyset
from panorama.core.templatetags.formatting import money
from panorama.customers.selectors import customer_get

from .. import selectors
from ..forms.opportunities import MoveForm, OpportunityForm, OpportunityNewForm, ProductLineForm
from ..models import Opportunity, Pipeline, Stage
from ..scripts import scripts_for
from ..services.opportunity import opportunity_create, opportunity_move, opportunity_update


def _owner(row: Opportunity) -> Any:
    owner = row.owner
    return (owner.get_full_name() or owner.username) if owner else "—"


def _amount(row: Opportunity) -> Any:
    return money(row.amount, row.currency)


def _pipelines(user) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Pipeline.objects.values_list("pk", "name")]


def _owner_field(user):
    return OpportunityForm().fields["owner"]


class _StageField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.pipeline.name}: {obj.name}"


def _stage_field(user):
    return _StageField(
        Stage.objects.select_related("pipeline").order_by("pipeline__name", "position", "id"),
        label=gettext_lazy("Stage"),
        empty_label=None,
    )


def _owner_undo(user, row: Opportunity, before: dict[str, Any]) -> Any:
    return opportunity_update(by=user, opportunity_id=row.pk, changes={"owner_id": before["owner"]})


def _stage_before(row: Opportunity) -> dict[str, Any]:
    return {"stage": row.stage_id, "lost_reason": row.lost_reason_id, "lost_note": row.lost_note}


def _stage_undo(user, row: Opportunity, before: dict[str, Any]) -> Any:
    # Back to its stage, a lost one with the reason it had (the move cleared it).
    return opportunity_move(
        by=user,
        opportunity_id=row.pk,
        stage_id=before["stage"],
        lost_reason_id=before["lost_reason"],
        lost_note=before["lost_note"],
    )


def _form_field(name: str):
    """The field of the opportunity's edit form: the same parsing in the list."""
    return lambda user: OpportunityForm().fields[name]


def _edit(name: str, initial) -> Edit:
    """A cell saved through ``opportunity_update``, like the opportunity's edit form."""
    return Edit(
        field=_form_field(name),
        initial=initial,
        save=lambda user, row, value: opportunity_update(
            by=user, opportunity_id=row.pk, changes={name: value}
        ),
        permission="sales.edit",
    )


# The stage, as on the board: a move (its history, the lost reason it needs).
STAGE_EDIT = Edit(
    field=_stage_field,
    initial=lambda row: row.stage_id,
    save=lambda user, row, stage: opportunity_move(
        by=user, opportunity_id=row.pk, stage_id=stage.pk
    ),
    permission="sales.edit",
)
OWNER_EDIT = Edit(
    field=_owner_field,
    initial=lambda row: row.owner_id,
    save=lambda user, row, owner: opportunity_update(
        by=user, opportunity_id=row.pk, changes={"owner_id": owner.pk if owner else None}
    ),
    permission="sales.edit",
)


class OpportunityList(ListDefinition):
    name = "opportunities"
    label = gettext_lazy("Opportunities")
    url_name = "sales:opportunity_list"
    noun = ngettext_lazy("%(count)s opportunity", "%(count)s opportunities", "n")
    search_label = gettext_lazy("Name")
    search_placeholder = gettext_lazy("e.g. Fibra 600")
    empty_title = gettext_lazy("No opportunities yet")
    empty_text = gettext_lazy("Open one from a customer's page.")
    columns = [
        Column("name", gettext_lazy("Name"), value=attr("name"), link=True, sort="name"),
        Column("customer", gettext_lazy("Customer"), value=attr("customer.display_name")),
        Column("stage", gettext_lazy("Stage"), value=attr("stage.name"), edit=STAGE_EDIT),
        Column(
            "status",
            gettext_lazy("Status"),
            value=chip("status", {"won": "success", "lost": "danger", "open": "info"}),
        ),
        Column(
            "amount",
            gettext_lazy("Amount"),
            value=_amount,
            numeric=True,
            edit=_edit("amount", lambda row: row.amount),
        ),
        Column(
            "expected_close",
            gettext_lazy("Expected close"),
            value=attr("expected_close"),
            edit=_edit("expected_close", lambda row: row.expected_close),
        ),
        Column("owner", gettext_lazy("Owner"), value=_owner, edit=OWNER_EDIT),
        Column("next_step", gettext_lazy("Next step"), value=attr("next_step"), default=False),
    ]
    filters = [
        Filter("status", gettext_lazy("Status"), choices=Opportunity.Status.choices),
        Filter("pipeline", gettext_lazy("Pipeline"), choices=_pipelines),
        Filter("mine", gettext_lazy("Owner"), choices=[("on", gettext_lazy("Only mine"))]),
    ]
    sorts = [
        Sort("newest", gettext_lazy("Newest first"), Keyset("-id", types=(int,))),
        Sort("name", gettext_lazy("Name, A to Z"), Keyset("name", "id", types=(str, int))),
    ]
    default_sort = "newest"
    # Through the services of the opportunity's page and the board: a stage of another
    # pipeline, or a lost stage without its reason, is refused there, row by row.
    bulk_actions = [
        BulkAction(
            "owner",
            gettext_lazy("Assign owner"),
            field=_owner_field,
            run=lambda user, row, owner: opportunity_update(
                by=user, opportunity_id=row.pk, changes={"owner_id": owner.pk if owner else None}
            ),
            before=lambda row: {"owner": row.owner_id},
            undo=_owner_undo,
            changed_since=gettext_lazy("Reassigned since: left as it is."),
            permission="sales.edit",
        ),
        BulkAction(
            "stage",
            gettext_lazy("Move to stage"),
            field=_stage_field,
            run=lambda user, row, stage: opportunity_move(
                by=user, opportunity_id=row.pk, stage_id=stage.pk
            ),
            before=_stage_before,
            undo=_stage_undo,
            changed_since=gettext_lazy("Moved or changed since: left as it is."),
            permission="sales.edit",
        ),
    ]
    bulk_export = "customers.export"  # the deployment's one switch for personal data

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.opportunities_visible_to(user).select_related("customer", "stage", "owner")
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        status = state.filters.get("status", "")
        if status in Opportunity.Status.values:
            qs = qs.filter(status=status)
        pipeline = state.filters.get("pipeline", "")
        if pipeline.isdigit():
            qs = qs.filter(pipeline_id=int(pipeline))
        if state.filters.get("mine"):
            qs = qs.filter(owner=user)
        return qs

    def row_url(self, row: Opportunity) -> str:
        return reverse("sales:opportunity_detail", args=[row.pk])


OPPORTUNITIES = OpportunityList()


@require_GET
def opportunity_list(request):
    return list_response(request, OPPORTUNITIES, template="sales/opportunity_list.html")


def _detail_context(
    request,
    opportunity: Opportunity,
    move_form: MoveForm | None = None,
    product_form: ProductLineForm | None = None,
) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from panorama.channels.models import Interaction

    history = selectors.stage_history(user=request.user, opportunity_id=opportunity.pk)
    timeline = (
        Interaction.objects.filter(
            related_type=ContentType.objects.get_for_model(Opportunity),
            related_id=opportunity.pk,
        )
        .select_related("agent")
        .order_by("-occurred_at", "-id")[:50]
    )
    return {
        "opportunity": opportunity,
        "history": history,
        "in_stage_seconds": int((timezone.now() - opportunity.stage_entered_at).total_seconds()),
        "competitors": list(opportunity.competitors.all()),
        "timeline": timeline,
        "lines": list(opportunity.lines.all()),
        "product_form": product_form or ProductLineForm(),
        "move_form": move_form
        or MoveForm(pipeline_id=opportunity.pipeline_id, initial={"stage": opportunity.stage_id}),
        "scripts": scripts_for(opportunity=opportunity),
    }


@require_GET
def opportunity_detail(request, opportunity_id: int):
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    return render(request, "sales/opportunity_detail.html", _detail_context(request, opportunity))


@require_POST
def opportunity_move_form(request, opportunity_id: int):
    """A move from the opportunity's page (works without JavaScript); a refusal shows
    the page again with the service's message on the field (422)."""
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    form = MoveForm(request.POST, pipeline_id=opportunity.pipeline_id)
    if form.is_valid():
        reason = form.cleaned_data["lost_reason"]
        try:
            moved = opportunity_move(
                by=request.user,
                opportunity_id=opportunity.pk,
                stage_id=form.cleaned_data["stage"].pk,
                lost_reason_id=reason.pk if reason else None,
                lost_note=form.cleaned_data["lost_note"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.stage.name})
            return redirect("sales:opportunity_detail", opportunity.pk)
    context = _detail_context(request, opportunity, move_form=form)
    return render(request, "sales/opportunity_detail.html", context, status=422)


def _edit_initial(opportunity: Opportunity) -> dict:
    return {
        "name": opportunity.name,
        "amount": opportunity.amount,
        "currency": opportunity.currency,
        "expected_close": opportunity.expected_close,
        "probability": opportunity.probability,
        "next_step": opportunity.next_step,
        "next_step_date": opportunity.next_step_date,
        "owner": opportunity.owner_id,
        "team": opportunity.team_id,
        "competitors": [c.pk for c in opportunity.competitors.all()],
    }


@require_POST
def opportunity_products(request, opportunity_id: int):
    """Add a product line (or change its quantity), or remove one (``remove``), through
    ``opportunity_update``; a refusal shows the page again with the message (422)."""
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    lines = {line.product_id: line.quantity for line in opportunity.lines.all()}
    form = ProductLineForm(request.POST)
    remove = request.POST.get("remove", "")
    if remove.isdigit():
        lines.pop(int(remove), None)
    elif form.is_valid():
        lines[form.cleaned_data["product"].pk] = form.cleaned_data["quantity"]
    else:
        context = _detail_context(request, opportunity, product_form=form)
        return render(request, "sales/opportunity_detail.html", context, status=422)
    try:
        opportunity_update(
            by=request.user,
            opportunity_id=opportunity.pk,
            changes={"products": [{"product_id": pk, "quantity": q} for pk, q in lines.items()]},
        )
    except DomainError as exc:
        form = ProductLineForm(request.POST)
        form.is_valid()
        form.add_error(None, str(exc.message))
        context = _detail_context(request, opportunity, product_form=form)
        return render(request, "sales/opportunity_detail.html", context, status=422)
    messages.success(request, _("Products saved."))
    return redirect("sales:opportunity_detail", opportunity.pk)


@require_http_methods(["GET", "POST"])
def opportunity_edit(request, opportunity_id: int):
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    if request.method == "POST":
        form = OpportunityForm(request.POST)
        if form.is_valid():
            try:
                opportunity_update(
                    by=request.user, opportunity_id=opportunity.pk, changes=form.changes()
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("sales:opportunity_detail", opportunity.pk)
    else:
        form = OpportunityForm(initial=_edit_initial(opportunity))
    return render(
        request,
        "sales/opportunity_edit.html",
        {"form": form, "opportunity": opportunity},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def opportunity_new(request, customer_id: int):
    """A new opportunity for a customer, from the ficha's panel."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    permissions.ensure_can(request.user, "sales.edit")
    if request.method == "POST":
        form = OpportunityNewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                opportunity = opportunity_create(
                    by=request.user,
                    customer_id=customer.pk,
                    name=data["name"],
                    pipeline_id=data["pipeline"].pk,
                    amount=data["amount"] or 0,
                    currency=data["currency"],
                    expected_close=data["expected_close"],
                    next_step=data["next_step"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Opportunity opened."))
                return redirect("sales:opportunity_detail", opportunity.pk)
    else:
        form = OpportunityNewForm()
    return render(
        request,
        "sales/opportunity_new.html",
        {"form": form, "customer": customer},
        status=422 if form.errors else 200,
    )
