"""The financing screen: the plans, and the schedule of an amount with one of them."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from panorama.core.exceptions import DomainError

from ..selectors.financing import financing_plans
from ..services.financing import financing_schedule


class ScheduleForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Financing plan"), coerce=int)
    amount = forms.DecimalField(label=_("Amount to finance"), localize=True, min_value=0)
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
