"""The satisfaction survey's public page (signed link, no login) and the CSAT report."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from panorama.core.exceptions import Conflict, DomainError, NotFound

from .. import selectors
from ..services.csat import csat_report, survey_answer


@login_not_required
@require_GET
def csat_answer(request, token: str):
    """One click from the e-mail records the score the link carries (the first one counts)."""
    try:
        survey = survey_answer(token=token)
    except NotFound:
        raise
    except DomainError as exc:
        # An expired link is gone (410); an answered survey, a conflict (409).
        status = 409 if isinstance(exc, Conflict) else 410
        return render(request, "service/csat/answer.html", {"error": exc.message}, status=status)
    return render(request, "service/csat/answer.html", {"survey": survey})


@require_GET
def csat_report_view(request):
    report = csat_report(selectors.cases_visible_to(request.user))
    return render(request, "service/csat/report.html", {"report": report})
