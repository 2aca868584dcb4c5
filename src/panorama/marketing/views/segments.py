"""The segment builder (live count over HTMX), segments and static lists."""

import json

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import ValidationFailed
from panorama.core.forms import DecimalField, ServiceForm
from panorama.core.lists import list_response

from .. import builder, selectors
from .. import rules as segment_rules
from ..lists_pages import SEGMENTS
from ..models import Campaign
from ..services import segments as services


def _catalogue_context(catalogue) -> dict:
    return {
        "fields": list(catalogue.values()),
        "op_labels": {k: str(v) for k, v in segment_rules.OP_LABELS.items()},
        "contact_channels": segment_rules.CONTACT_CHANNELS,
        "consent_channels": segment_rules.CONSENT_CHANNELS,
    }


def _rows_context(rows: list[builder.Row], catalogue) -> list[dict]:
    """The rows as a tree for the template: a group's item holds its ``children``."""
    items: list[dict] = []
    numbers = {True: 0, False: 0}  # "group 1", "condition 3": counted apart, as drawn
    for i, row in enumerate(rows):
        numbers[row.group] += 1
        if row.group:
            items.append(
                {
                    "i": i,
                    "n": numbers[True],
                    "row": row,
                    "group": True,
                    "children": [],
                    "nestable": row.depth + 1 < builder.MAX_NESTING,
                }
            )
            continue
        field = catalogue.get(row.field)
        items.append(
            {
                "i": i,
                "n": numbers[False],
                "row": row,
                "group": False,
                "field": field,
                "ops": [(op, segment_rules.OP_LABELS[op]) for op in field.ops] if field else [],
                "choices": field.choices() if field and field.choices else None,
                "input_type": (field.input if field else "")
                or {"date": "date", "integer": "number", "recency": "number"}.get(
                    field.type if field else "", "text"
                ),
                "needs_value": row.op not in ("is_empty", "is_set"),
            }
        )
    top: list[dict] = []
    for item in items:
        parent = item["row"].parent
        if parent is not None and items[parent]["group"]:
            items[parent]["children"].append(item)
        else:
            top.append(item)
    return top


def _count(user, rules) -> tuple[int | None, ValidationFailed | None]:
    try:
        return selectors.segment_count(user=user, rules=rules), None
    except ValidationFailed as exc:
        return None, exc


def _builder_state(request, catalogue):
    """(mode, match, rows, rules, json_text) from the posted form."""
    data = request.POST
    if data.get("mode") == "json":
        text = data.get("rules_json", "")
        try:
            rules = json.loads(text or "{}")
        except json.JSONDecodeError as exc:
            rules = None
            error = ValidationFailed(
                _("The rules are not valid JSON: %(e)s") % {"e": exc.msg}, field="rules"
            )
            return "json", "and", [], rules, text, error
        return "json", "and", [], rules, text, None
    rows = builder.rows_act(
        builder.rows_from_post(data, catalogue=catalogue), data.get("action", "")
    )
    match = data.get("match", "and")
    rules = builder.rule_from_rows(match, rows, catalogue=catalogue)
    return "builder", match, rows, rules, json.dumps(rules, indent=2), None


def _builder_context(user, mode, match, rows, rules, text, error, catalogue) -> dict:
    count = None
    if error is None and rules is not None:
        count, error = _count(user, rules)
    return {
        "mode": mode,
        "match": match,
        "rows": _rows_context(rows, catalogue),
        "nestable": builder.MAX_NESTING > 0,
        "rules_json": text,
        "count": count,
        "count_error": error,
        **_catalogue_context(catalogue),
    }


@require_GET
def segment_list(request):
    return _segment_list(request)


def _segment_list(request, *, programme_form=None, status: int = 200):
    from ..services.programmes import churn_available

    # The segments are the shared list (filters, sorts, saved views, bulk delete in the
    # URL); the programme's target stays below it (the static lists have their own page).
    response = list_response(
        request,
        SEGMENTS,
        template="marketing/segment_list.html",
        context={
            "programme_form": programme_form or _styled_programme(ProgrammeForm()),
            "churn_available": churn_available(),
        },
    )
    response.status_code = status
    return response


class ProgrammeForm(ServiceForm):
    programme = forms.ChoiceField(
        label=gettext_lazy("Programme"),
        choices=[c for c in Campaign.Programme.choices if c[0] != "acquisition"],
        initial=Campaign.Programme.RETENTION,
    )
    name = forms.CharField(label=gettext_lazy("Segment name"), max_length=120)
    churn_above = DecimalField(
        label=gettext_lazy("Churn risk above (0 to 1)"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=3,
    )
    inactive_days = forms.IntegerField(
        label=gettext_lazy("No contact in (days)"), required=False, min_value=1, max_value=3650
    )
    offer_product_code = forms.CharField(
        label=gettext_lazy("Offered product code (left out: those who hold it)"),
        max_length=50,
        required=False,
    )


def _styled_programme(form: "ProgrammeForm") -> "ProgrammeForm":
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


@require_POST
def programme_segment(request):
    """A retention, win-back or cross-sell target as a segment (then edited and counted
    on its page like any other)."""
    from ..services.programmes import programme_segment_create

    form = _styled_programme(ProgrammeForm(request.POST))
    if form.is_valid():
        data = form.cleaned_data
        try:
            segment = programme_segment_create(
                by=request.user,
                programme=data["programme"],
                name=data["name"],
                churn_above=data.get("churn_above"),
                inactive_days=data.get("inactive_days"),
                offer_product_code=data.get("offer_product_code") or "",
            )
        except ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Target segment created: check its count below."))
            return redirect("marketing:segment_edit", segment.pk)
    return _segment_list(request, programme_form=form, status=422)


@require_http_methods(["GET", "POST"])
def segment_edit(request, segment_id: int | None = None):
    """The builder page: GET draws the segment, POST saves it."""
    segment = (
        selectors.segment_get(segment_id=segment_id, user=request.user) if segment_id else None
    )
    catalogue = segment_rules.fields()
    name = segment.name if segment else ""
    description = segment.description if segment else ""
    if request.method == "POST":
        ensure_can(request.user, "marketing.build_segments")
        mode, match, rows, rules, text, error = _builder_state(request, catalogue)
        name, description = request.POST.get("name", ""), request.POST.get("description", "")
        save_error = error
        if error is None:
            try:
                saved = services.segment_save(
                    by=request.user,
                    segment=segment,
                    name=name,
                    description=description,
                    rules=rules,
                )
            except ValidationFailed as exc:
                save_error = exc
            else:
                messages.success(request, _("Segment saved."))
                return redirect("marketing:segment_edit", saved.pk)
        context = _builder_context(
            request.user, mode, match, rows, rules, text, save_error, catalogue
        )
        context.update(segment=segment, name=name, description=description, save_error=save_error)
        return render(request, "marketing/segment_edit.html", context, status=422)
    return segment_page(request, segment)


def segment_page(request, segment, *, extra: dict | None = None, status: int = 200):
    """The builder page as GET draws it (``extra``: a targeting or alert form refused)."""
    from .targeting import targeting_context

    catalogue = segment_rules.fields()
    name = segment.name if segment else ""
    description = segment.description if segment else ""
    drawn = builder.rows_from_rule(segment.rules) if segment else ("and", [])
    rows: list[builder.Row]
    if drawn is None:
        mode, match, rows = "json", "and", []
    else:
        mode, (match, rows) = "builder", drawn
        if not segment:
            first = catalogue["holding"]
            rows = [builder.Row(field=first.name, op="has")]
    rules = segment.rules if segment else builder.rule_from_rows(match, rows, catalogue=catalogue)
    context = _builder_context(
        request.user, mode, match, rows, rules, json.dumps(rules, indent=2), None, catalogue
    )
    context.update(segment=segment, name=name, description=description)
    if segment is not None:
        context.update(targeting_context(request.user, segment))
    context.update(extra or {})
    return render(request, "marketing/segment_edit.html", context, status=status)


@require_POST
def segment_builder(request):
    """HTMX: the rows redrawn (a row added, removed, or its field changed) and the count."""
    catalogue = segment_rules.fields()
    mode, match, rows, rules, text, error = _builder_state(request, catalogue)
    context = _builder_context(request.user, mode, match, rows, rules, text, error, catalogue)
    return render(request, "marketing/_builder.html", context)


@require_POST
def segment_count(request):
    """HTMX: the live count of what is on the screen (422 with the faulty field named)."""
    catalogue = segment_rules.fields()
    _mode, _match, _rows, rules, _text, error = _builder_state(request, catalogue)
    count = None
    if error is None:
        count, error = _count(request.user, rules)
    return render(
        request,
        "marketing/_count.html",
        {"count": count, "count_error": error},
        status=422 if error else 200,
    )


@require_POST
def segment_snapshot(request, segment_id: int):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    static_list, joined, _left = services.list_snapshot(
        by=request.user, segment=segment, name=request.POST.get("name", "")
    )
    messages.success(request, _("List created with %(n)s customers.") % {"n": f"{joined:,}"})
    return redirect("marketing:list_detail", static_list.pk)


@require_GET
def list_detail(request, list_id: int):
    static_list = selectors.list_get(list_id=list_id)
    history = selectors.list_history(user=request.user, static_list=static_list)
    return render(
        request, "marketing/list_detail.html", {"static_list": static_list, "history": history}
    )


@require_POST
def list_resnapshot(request, list_id: int):
    static_list = selectors.list_get(list_id=list_id)
    joined, left = services.list_refresh(by=request.user, static_list=static_list)
    messages.success(request, _("%(j)s joined, %(l)s left.") % {"j": joined, "l": left})
    return redirect("marketing:list_detail", static_list.pk)
