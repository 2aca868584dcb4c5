"""The win/loss analysis page."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from panorama.accounts.models import User
from panorama.core.exceptions import DomainError

from ..forms.opportunities import DateInput
from ..models import Pipeline
from ..selectors import company_currency
from ..winloss import WinLossFilters, win_loss


class WinLossForm(forms.Form):
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"),
        required=False,
        queryset=Pipeline.objects.all(),
        empty_label=_("All pipelines"),
    )
    owner = forms.ModelChoiceField(
        label=_("Rep"),
        required=False,
        queryset=User.objects.filter(is_active=True),
        empty_label=_("All reps"),
    )
    closed_from = forms.DateField(label=_("Closed from"), required=False, widget=DateInput())
    closed_to = forms.DateField(label=_("Closed until"), required=False, widget=DateInput())
    period = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("month", _("Month")), ("quarter", _("Quarter"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = (
                f"{css} form-control-sm" if css == "form-control" else "form-select form-select-sm"
            )


@require_GET
def winloss(request):
    form = WinLossForm(request.GET or None)
    data, error = None, None
    values = form.cleaned_data if form.is_valid() else {}
    if not form.is_bound or form.is_valid():
        filters = WinLossFilters(
            pipeline_id=values["pipeline"].pk if values.get("pipeline") else None,
            owner_id=values["owner"].pk if values.get("owner") else None,
            closed_from=values.get("closed_from"),
            closed_to=values.get("closed_to"),
            period=values.get("period") or "month",
        )
        try:
            data = win_loss(user=request.user, filters=filters)
        except DomainError as exc:
            error = exc.message
    status = 200 if data is not None else 422
    return render(
        request,
        "sales/winloss.html",
        {"form": form, "data": data, "error": error, "currency": company_currency()},
        status=status,
    )
