"""Saved reports: one validation (``report_clean``) and one permission check for every
path (page, API, shell), and the query built from the catalogue's whitelist."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import PermissionDenied, ValidationFailed

from ..models import Report
from ..warehouse import dashboards
from .catalogue import AGGREGATES, MONTH, SOURCES, Source

MAX_DIMENSIONS = 3
MAX_MEASURES = 6
MAX_FILTERS = 10
FILTER_OPS = {"eq": "=", "ne": "<>", "gte": ">=", "lte": "<="}
_MONTH_VALUE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def sources_for(user: User) -> list[Source]:
    """The marts ``user`` may build on: those of his dashboards."""
    mine = {d.key for d in dashboards.departments_for(user)}
    return [s for s in SOURCES.values() if s.department in mine]


def source_check(user: User, name: Any) -> Source:
    source = SOURCES.get(name) if isinstance(name, str) else None
    if source is None:
        raise ValidationFailed(_("Choose the data to report on."), field="source")
    if source not in sources_for(user):
        raise PermissionDenied(_("Your role does not use the dashboards of this data."))
    return source


def _filter_value(source: Source, column: str, op: str, value: Any, path: str) -> Any:
    if column == MONTH:
        text = str(value or "").strip()
        if op not in ("gte", "lte") or not _MONTH_VALUE.match(text):
            raise ValidationFailed(
                _("A month is filtered from or up to a month (YYYY-MM)."), field=path
            )
        try:
            return datetime.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
        except ValueError:
            raise ValidationFailed(_("%(v)s is not a date.") % {"v": text}, field=path) from None
    if column in source.measures:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValidationFailed(
                _("%(column)s is compared with a number, not %(v)r.")
                % {"column": source.measures[column], "v": value},
                field=path,
            ) from None
        return str(number)
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 100:
        raise ValidationFailed(
            _("%(column)s needs a value of at most 100 characters.")
            % {"column": source.dimensions[column]},
            field=path,
        )
    if op not in ("eq", "ne"):
        raise ValidationFailed(
            _("%(column)s is filtered with “is” or “is not”.")
            % {"column": source.dimensions[column]},
            field=path,
        )
    return text


def report_clean(*, by: User, data: dict[str, Any]) -> dict[str, Any]:
    """The definition checked against the catalogue, or ValidationFailed naming the field
    (PermissionDenied for data outside the user's dashboards)."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_("Give the report a name."), field="name")
    if len(name) > 120:
        raise ValidationFailed(_("The name has at most 120 characters."), field="name")
    source = source_check(by, data.get("source"))
    dimensions = data.get("dimensions") or []
    if not isinstance(dimensions, list) or len(dimensions) > MAX_DIMENSIONS:
        raise ValidationFailed(
            _("Group by at most %(n)s columns.") % {"n": MAX_DIMENSIONS}, field="dimensions"
        )
    for column in dimensions:
        if column not in source.dimensions:
            raise ValidationFailed(
                _("%(c)r is not a column to group this data by.") % {"c": column},
                field="dimensions",
            )
    if len(set(dimensions)) != len(dimensions):
        raise ValidationFailed(_("A column is grouped by twice."), field="dimensions")
    measures = data.get("measures") or []
    if not isinstance(measures, list) or not 1 <= len(measures) <= MAX_MEASURES:
        raise ValidationFailed(
            _("Choose between 1 and %(n)s measures.") % {"n": MAX_MEASURES}, field="measures"
        )
    clean_measures = []
    for i, measure in enumerate(measures):
        path = f"measures.{i}"
        column = measure.get("column") if isinstance(measure, dict) else None
        agg = measure.get("agg") if isinstance(measure, dict) else None
        if column not in source.measures:
            raise ValidationFailed(
                _("%(c)r is not a measure of this data.") % {"c": column}, field=path
            )
        if agg not in AGGREGATES:
            raise ValidationFailed(
                _("Add up with sum, count or average, not %(a)r.") % {"a": agg}, field=path
            )
        clean_measures.append({"column": column, "agg": agg})
    filters = data.get("filters") or []
    if not isinstance(filters, list) or len(filters) > MAX_FILTERS:
        raise ValidationFailed(_("At most %(n)s filters.") % {"n": MAX_FILTERS}, field="filters")
    clean_filters = []
    for i, item in enumerate(filters):
        path = f"filters.{i}"
        column = item.get("column") if isinstance(item, dict) else None
        op = item.get("op") if isinstance(item, dict) else None
        if column not in source.dimensions and column not in source.measures:
            raise ValidationFailed(
                _("%(c)r is not a column of this data.") % {"c": column}, field=path
            )
        if op not in FILTER_OPS:
            raise ValidationFailed(_("Unknown comparison %(op)r.") % {"op": op}, field=path)
        value = _filter_value(source, column, op, item.get("value"), path)
        clean_filters.append({"column": column, "op": op, "value": str(value)})
    chart = data.get("chart") or Report.Chart.BAR
    if chart not in Report.Chart.values:
        raise ValidationFailed(_("Unknown chart %(c)r.") % {"c": chart}, field="chart")
    if chart != Report.Chart.TABLE and not dimensions:
        raise ValidationFailed(
            _("A chart needs a column to group by; choose one or show a table."), field="chart"
        )
    roles = data.get("shared_roles") or []
    if not isinstance(roles, list) or any(r not in Role.values for r in roles):
        raise ValidationFailed(_("Share with the staff's roles only."), field="shared_roles")
    return {
        "name": name,
        "source": source.mart,
        "dimensions": list(dimensions),
        "measures": clean_measures,
        "filters": clean_filters,
        "chart": chart,
        "shared_roles": sorted(set(roles)),
    }


def may_edit(user: User, report: Report) -> bool:
    return user.is_superuser or report.owner_id == user.pk or user.role == Role.ADMIN


@transaction.atomic
def report_save(*, by: User, data: dict[str, Any], report: Report | None = None) -> Report:
    """Create (``report`` None) or change a saved report; only its owner (or an
    administrator) changes one."""
    ensure_can(by, "analytics.build_reports")
    if report is not None and not may_edit(by, report):
        raise PermissionDenied(_("Only the report's owner changes it."))
    clean = report_clean(by=by, data=data)
    report = report or Report(owner=by)
    for name, value in clean.items():
        setattr(report, name, value)
    report.save()
    return report


@transaction.atomic
def report_delete(*, by: User, report: Report) -> None:
    ensure_can(by, "analytics.build_reports")
    if not may_edit(by, report):
        raise PermissionDenied(_("Only the report's owner deletes it."))
    report.delete()
