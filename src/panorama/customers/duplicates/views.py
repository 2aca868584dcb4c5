"""The duplicates screen: review pairs, merge, dismiss, undo; every action by HTMX.

Each action answers the one row it changed (``request.htmx``) or, without JavaScript,
redirects back to the screen with a message.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.http import SignedInRequest
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.history import history_label

from . import selectors
from .models import DuplicateCandidate
from .services import scan as services
from .services.preview import merge_preview

TEMPLATES = "customers/duplicates/"


def _with_reasons(candidates: list[DuplicateCandidate]) -> list[DuplicateCandidate]:
    for candidate in candidates:
        vars(candidate)["reason_texts"] = [services.reason_text(r) for r in candidate.reasons]
    return candidates


def _candidate_row(request: SignedInRequest, candidate_id: int, error: str = "") -> HttpResponse:
    candidate = selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)
    selectors.duplicate_details([candidate])
    return render(
        request,
        TEMPLATES + "_candidate.html",
        {
            "candidate": _with_reasons([candidate])[0],
            "error": error,
        },
    )


def _back(request: SignedInRequest, message: str, level: int = messages.SUCCESS) -> HttpResponse:
    messages.add_message(request, level, message)
    return redirect("customers:duplicates")


@require_GET
def duplicate_list(request: SignedInRequest) -> HttpResponse:
    page = selectors.duplicate_candidates(
        user=request.user, cursor=request.GET.get("cursor", ""), with_details=True
    )
    return render(
        request,
        TEMPLATES + "page.html",
        {
            "candidates": _with_reasons(page.items),
            "next_cursor": page.next_cursor,
            "merges": selectors.merge_list(user=request.user, limit=10),
        },
    )


@require_POST
def duplicate_scan(request: SignedInRequest) -> HttpResponse:
    services.duplicates_scan_request(by=request.user)
    message = _("The scan is running. Reload the page in a moment to see what it found.")
    if request.htmx:
        return render(request, TEMPLATES + "_scan_queued.html", {"message": message})
    return _back(request, message, messages.INFO)


@require_http_methods(["GET", "POST"])
def duplicate_merge(request: SignedInRequest, candidate_id: int) -> HttpResponse:
    """GET: the preview of a merge (both customers side by side, what the survivor ends
    with, what moves); POST: the merge itself."""
    if request.method == "GET":
        return _merge_preview(request, candidate_id)
    try:
        candidate = selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)
        survivor, merged = _kept_and_merged(candidate, request.POST.get("survivor", ""))
        merge = services.customer_merge(survivor=survivor, merged=merged, by=request.user)
    except (ValidationFailed, Conflict) as exc:
        if request.htmx:
            return _candidate_row(request, candidate_id, error=str(exc.message))
        return _back(request, str(exc.message), messages.ERROR)
    merge = selectors.merge_get(user=request.user, merge_id=merge.pk)
    message = _("%(merged)s was merged into %(survivor)s.") % {
        "merged": merge.merged,
        "survivor": merge.survivor,
    }
    if request.htmx:
        return render(
            request,
            TEMPLATES + "_candidate_done.html",
            {
                "candidate": candidate,
                "message": message,
                "merge": merge,
            },
        )
    return _back(request, message)


def _kept_and_merged(candidate: DuplicateCandidate, survivor_id: str):
    """The pair's customer to keep (by the id the user chose) and the one to merge."""
    pair = {
        str(candidate.customer_a_id): candidate.customer_a,
        str(candidate.customer_b_id): candidate.customer_b,
    }
    survivor = pair.pop(survivor_id, None)
    if survivor is None:
        raise ValidationFailed(_("Choose which of the two customers to keep."), field="survivor")
    return survivor, next(iter(pair.values()))


def _merge_preview(request: SignedInRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)
    try:
        survivor, merged = _kept_and_merged(candidate, request.GET.get("survivor", ""))
    except ValidationFailed as exc:
        return _back(request, str(exc.message), messages.ERROR)
    context = {
        "candidate": candidate,
        "survivor": survivor,
        "merged": merged,
        **merge_preview(survivor=survivor, merged=merged, by=request.user),
    }
    return render(request, TEMPLATES + "preview.html", context)


@require_POST
def duplicate_dismiss(request: SignedInRequest, candidate_id: int) -> HttpResponse:
    try:
        candidate = selectors.duplicate_candidate_get(user=request.user, candidate_id=candidate_id)
        services.duplicate_dismiss(candidate=candidate, by=request.user)
    except (ValidationFailed, Conflict) as exc:
        if request.htmx:
            return _candidate_row(request, candidate_id, error=str(exc.message))
        return _back(request, str(exc.message), messages.ERROR)
    message = _("%(a)s and %(b)s are marked as different customers.") % {
        "a": candidate.customer_a,
        "b": candidate.customer_b,
    }
    if request.htmx:
        return render(
            request,
            TEMPLATES + "_candidate_done.html",
            {
                "candidate": candidate,
                "message": message,
            },
        )
    return _back(request, message)


@require_POST
def merge_undo(request: SignedInRequest, merge_id: int) -> HttpResponse:
    """Undo from the merges table (answers the merge's row) or from a just-merged pair
    (``candidate`` posted: answers the pair, to review again)."""
    candidate_id = request.POST.get("candidate", "")
    error = ""
    try:
        merge = selectors.merge_get(user=request.user, merge_id=merge_id)
        merge = services.customer_merge_undo(merge=merge, by=request.user)
    except (ValidationFailed, Conflict) as exc:
        if not request.htmx:
            return _back(request, str(exc.message), messages.ERROR)
        error = str(exc.message)
    if not request.htmx:
        message = _("The merge was undone.")
        if merge.undo_conflicts:
            message += " " + _(
                "Fields changed since the merge were left as they are: %(fields)s."
            ) % {"fields": ", ".join(history_label(c["field"]) for c in merge.undo_conflicts)}
        return _back(request, message)
    if candidate_id.isdigit() and not error:
        return _candidate_row(request, int(candidate_id))
    merge = selectors.merge_get(user=request.user, merge_id=merge_id)
    return render(request, TEMPLATES + "_merge_row.html", {"merge": merge, "error": error})
