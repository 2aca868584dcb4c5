"""The pipeline board: the kanban page, a column's next cards, and a move.

The board is drawn by the shared kanban component (``core/kanban/board.html`` and
``panorama/kanban.js``); a move answers JSON: the new totals of the two columns it
touched (the user's scope, the locale's format), or the service's refusal with the
field it concerns, so the script puts the card back with that message or asks for the
field (the lost reason) and tries again.
"""

from decimal import Decimal

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.templatetags.formatting import money, number

from .. import selectors
from ..services.opportunity import opportunity_move


def _int(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number_ = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Give a number."), field=field) from None
    if not 0 < number_ < 2**63:
        raise ValidationFailed(_("Give a number."), field=field)
    return number_


def _column_context(board: selectors.Board, pipeline_id: int) -> list[dict]:
    return [
        {
            "id": column.stage.pk,
            "title": column.stage.name,
            "kind": column.stage.kind,
            "count": column.count,
            "total": column.total,
            "cards": column.cards,
            "more_url": _more_url(pipeline_id, column.stage.pk, column.next_cursor),
        }
        for column in board.columns
    ]


def _more_url(pipeline_id: int, stage_id: int, cursor: str | None) -> str:
    if not cursor:
        return ""
    url = reverse("sales:board_column", args=[pipeline_id, stage_id])
    return f"{url}?cursor={cursor}"


@require_GET
def board(request, pipeline_id: int | None = None):
    board = selectors.pipeline_board(user=request.user, pipeline_id=pipeline_id)
    pipeline = board.pipeline
    context = {
        "board": board,
        "pipeline": pipeline,
        "pipelines": selectors.pipelines_active(),
        "columns": _column_context(board, pipeline.pk),
        "lost_reasons": selectors.lost_reasons(active_only=True),
        "move_url": reverse("sales:board_move", args=[0]).replace("/0/", "/__id__/"),
    }
    return render(request, "sales/board.html", context)


@require_GET
def board_column(request, pipeline_id: int, stage_id: int):
    """The next cards of a column (HTML to append), with the link to the ones after."""
    page = selectors.board_column_page(
        user=request.user,
        pipeline_id=pipeline_id,
        stage_id=stage_id,
        cursor=request.GET.get("cursor", ""),
    )
    return render(
        request,
        "core/kanban/_cards.html",
        {
            "cards": page.items,
            "card_template": "sales/_board_card.html",
            "value_field": "amount_base",
            "board_id": "pipeline-board",
            "more_url": _more_url(pipeline_id, stage_id, page.next_cursor),
            "currency": selectors.company_currency(),
        },
    )


def _totals(user, pipeline_id: int, stage_ids: list[int]) -> dict[str, dict]:
    currency = selectors.company_currency()
    totals = selectors.board_totals(user=user, pipeline_id=pipeline_id, stage_ids=stage_ids)
    answer = {}
    for stage_id in stage_ids:
        count, total = totals.get(stage_id, (0, Decimal("0.00")))
        answer[str(stage_id)] = {
            "count": count,
            "count_display": number(count),
            "total": str(total),
            "total_display": money(total, currency),
        }
    return answer


@require_POST
def board_move(request, opportunity_id: int):
    """Move a card; JSON either way (200 with the columns' totals, 4xx with the message
    and the field at fault)."""
    try:
        stage_id = _int(request.POST.get("stage_id"), "stage")
        if stage_id is None:
            raise ValidationFailed(_("Choose the stage to move it to."), field="stage")
        moved = opportunity_move(
            by=request.user,
            opportunity_id=opportunity_id,
            stage_id=stage_id,
            lost_reason_id=_int(request.POST.get("lost_reason_id"), "lost_reason"),
            lost_note=request.POST.get("lost_note", ""),
        )
    except DomainError as exc:
        return JsonResponse(
            {"detail": str(exc.message), "field": exc.field, "errors": exc.errors},
            status=exc.status_code,
        )
    left = moved.moved_from
    stages = sorted({left.pk if left else moved.stage_id, moved.stage_id})
    return JsonResponse(
        {
            "detail": _("“%(name)s” moved to %(stage)s.")
            % {"name": moved.name, "stage": moved.stage.name},
            "card": {"id": moved.pk, "column": moved.stage_id},
            "columns": _totals(request.user, moved.pipeline_id, stages),
        }
    )
