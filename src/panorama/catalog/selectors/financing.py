"""Reads of financing plans (company-wide, like the rest of the catalogue)."""

from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound

from ..models import FinancingPlan


def financing_plans(*, active_only: bool = True) -> list[FinancingPlan]:
    qs = FinancingPlan.objects.all()
    return list(qs.filter(active=True) if active_only else qs)


def financing_plan_get(*, plan_id: int) -> FinancingPlan:
    plan = FinancingPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("There is no financing plan %(id)s.") % {"id": plan_id})
    return plan
