"""The forecast API: per rep for a period, and managers' adjustments."""

import datetime
from decimal import Decimal

from ninja import Router, Schema, Status

from panorama.core.validation import text_field

from ..forecast import CATEGORIES, ForecastRow, forecast_for
from ..models import ForecastAdjustment
from ..services.forecast import forecast_adjust

router = Router(tags=["forecast"])


class AdjustmentIn(Schema):
    period: str
    category: str
    amount: Decimal
    rep_id: int | None = None
    team_id: int | None = None
    comment: str = text_field(ForecastAdjustment, "comment", "")


class AdjustmentOut(Schema):
    id: int
    period: str
    rep_id: int | None
    team_id: int | None
    category: str
    amount: Decimal
    comment: str
    by_id: int | None
    at: datetime.datetime


class CellOut(Schema):
    category: str
    computed: Decimal
    adjusted: Decimal | None
    figure: Decimal


class RowOut(Schema):
    rep_id: int | None
    rep_name: str
    cells: list[CellOut]
    quota: Decimal | None


class ForecastOut(Schema):
    period: str
    start: datetime.date
    end: datetime.date
    currency: str
    team_id: int | None
    rows: list[RowOut]
    total: RowOut
    adjustments: list[AdjustmentOut]


def _row(row: ForecastRow) -> dict:
    rep = row.rep
    return {
        "rep_id": rep.pk if rep else None,
        "rep_name": (rep.get_full_name() or rep.username) if rep else "",
        "quota": row.quota,
        "cells": [
            {
                "category": c,
                "computed": row.computed[c],
                "adjusted": row.adjusted[c].amount if c in row.adjusted else None,
                "figure": row.figure(c),
            }
            for c in CATEGORIES
        ],
    }


@router.get("/forecast", response=ForecastOut)
def forecast(request, period: str = "", team_id: int | None = None):
    """The weighted forecast per rep (period: 2026-11 or 2026-Q4; default this month)."""
    from ..forecast import current_period

    result = forecast_for(user=request.user, period=period or current_period(), team_id=team_id)
    return {
        "period": result.period,
        "start": result.start,
        "end": result.end,
        "currency": result.currency,
        "team_id": result.team.pk if result.team else None,
        "rows": [_row(r) for r in result.rows],
        "total": _row(result.total),
        "adjustments": result.history,
    }


@router.post("/forecast/adjustments", response={201: AdjustmentOut})
def adjustment_create(request, payload: AdjustmentIn):
    adjustment = forecast_adjust(by=request.user, **payload.dict())
    return Status(201, adjustment)
