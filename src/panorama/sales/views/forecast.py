"""The forecast page: a period (month or quarter), optionally one team, a row per rep
with each category's figure, and the managers' adjustment form."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts.permissions import can
from panorama.core.exceptions import DomainError, ValidationFailed

from ..forecast import current_period, forecast_for, period_bounds, period_shift
from ..forms.agenda import AdjustmentForm
from ..services.forecast import forecast_adjust


def _period(request) -> str:
    kind = "quarter" if request.GET.get("kind") == "quarter" else "month"
    period = request.GET.get("period", "") or current_period(kind)
    try:
        period_bounds(period)
    except ValidationFailed:
        period = current_period(kind)
    return period


def _team_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 18 else None


def _targets(result) -> list[tuple[str, str]]:
    targets = [
        (f"rep:{row.rep.pk}", row.rep.get_full_name() or row.rep.username)
        for row in result.rows
        if row.rep is not None
    ]
    if result.team is not None:
        targets.insert(0, (f"team:{result.team.pk}", _("Team: %(name)s") % {"name": result.team}))
    return targets


def _page(request, period: str, team_id: int | None, form: AdjustmentForm | None = None):
    result = forecast_for(user=request.user, period=period, team_id=team_id)
    if form is None:
        form = AdjustmentForm(targets=_targets(result))
    form.mark_errors()
    kind = "quarter" if "Q" in period else "month"
    return render(
        request,
        "sales/forecast.html",
        {
            "forecast": result,
            "kind": kind,
            "previous": period_shift(period, -1),
            "next": period_shift(period, 1),
            "form": form,
            "may_adjust": can(request.user, "sales.forecast_adjust"),
        },
        status=422 if form.errors else 200,
    )


@require_GET
def forecast_page(request):
    return _page(request, _period(request), _team_id(request.GET.get("team", "")))


@require_POST
def forecast_adjust_view(request):
    period = _period(request)
    team_id = _team_id(request.GET.get("team", ""))
    result = forecast_for(user=request.user, period=period, team_id=team_id)
    form = AdjustmentForm(request.POST, targets=_targets(result))
    if form.is_valid():
        try:
            forecast_adjust(
                by=request.user,
                period=period,
                category=form.cleaned_data["category"],
                amount=form.cleaned_data["amount"],
                comment=form.cleaned_data["comment"],
                **form.target_ids(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Forecast adjusted."))
            url = reverse("sales:forecast") + f"?period={period}"
            return redirect(url + (f"&team={team_id}" if team_id else ""))
    return _page(request, period, team_id, form)
