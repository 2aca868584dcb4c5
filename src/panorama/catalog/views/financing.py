"""The financing screens: the schedule of an amount with one of the plans, and the plans' own
pages (list, detail, create, edit, archive; ``catalog.manage`` writes)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.forms import DecimalField
from panorama.core.lists import list_response

from ..forms import FinancingPlanForm
from ..lists import FINANCING_PLANS
from ..selectors.financing import financing_plan_get, financing_plans
from ..services import financing as services
from ..services.financing import financing_schedule


class ScheduleForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Financing plan"), coerce=int)
    amount = DecimalField(label=_("Amount to finance"), min_value=0)
    start = forms.DateField(
        label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, plans, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.pk, p.name) for p in plans]
        for name, item in self.fields.items():
            item.widget.attrs.setdefault(
                "class", "form-select" if name == "plan" else "form-control"
            )


@require_GET
def financing(request):
    plans = financing_plans()
    form = ScheduleForm(request.GET or None, plans=plans)
    schedule, error = None, None
    if form.is_bound and form.is_valid():
        plan = next(p for p in plans if p.pk == form.cleaned_data["plan"])
        try:
            schedule = financing_schedule(
                plan=plan, amount=form.cleaned_data["amount"], start=form.cleaned_data["start"]
            )
        except DomainError as exc:
            error = exc.message
    context = {"plans": plans, "form": form, "schedule": schedule, "error": error}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "catalog/_schedule.html", context)
    return render(request, "catalog/financing.html", context)


# --- the plans themselves: list, detail, create, edit, archive ------------------------


@require_GET
def plan_list(request):
    return list_response(request, FINANCING_PLANS, template="catalog/terms/plan_list.html")


@require_GET
def plan_detail(request, plan_id: int):
    plan = financing_plan_get(plan_id=plan_id)
    context = {
        "plan": plan,
        "record": plan,
        "form": ScheduleForm(initial={"plan": plan.pk}, plans=[plan]),
        "may_manage": can(request.user, "catalog.manage"),
    }
    return render(request, "catalog/terms/plan_detail.html", context)


def _form_page(request, form, plan=None):
    form.mark_errors()
    return render(
        request,
        "catalog/terms/form.html",
        {
            "form": form,
            "record": plan,
            "list_url": "catalog:plan_list",
            "list_label": _("Financing plans"),
            "new_label": _("New financing plan"),
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def plan_create(request):
    ensure_can(request.user, "catalog.manage")
    form = FinancingPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.financing_plan_create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Financing plan saved."))
            return redirect("catalog:plan_detail", created.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_id: int):
    plan = financing_plan_get(plan_id=plan_id)
    ensure_can(request.user, "catalog.manage")
    form = FinancingPlanForm(
        request.POST or None, initial=FinancingPlanForm.initial_of(plan), editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.financing_plan_update(by=request.user, plan=plan, changes=form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Financing plan saved."))
            return redirect("catalog:plan_detail", plan.pk)
    return _form_page(request, form, plan)


@require_POST
def plan_archive(request, plan_id: int):
    """Archive an active plan, restore an archived one (never deleted: quotes use it)."""
    plan = financing_plan_get(plan_id=plan_id)
    services.financing_plan_update(by=request.user, plan=plan, changes={"active": not plan.active})
    if plan.active:
        messages.success(request, _("Financing plan archived."))
    else:
        messages.success(request, _("Financing plan restored."))
    return redirect("catalog:plan_detail", plan.pk)
