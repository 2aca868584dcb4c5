"""The rule editor (administrators: ``automation.edit_rules``, checked by the
services), its runs and misses (20 at a time, "Load more" for the next), "test against a
sample record", pause/resume, export and import."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response
from panorama.customers.selectors import customer_get

from ..conditions import known_fields
from ..engine import rule_test
from ..forms import RuleForm, RulesImportForm, RuleTestForm
from ..lists import RULES
from ..selectors import RULE_LOG_PAGE, rule_runs_page
from ..services.rules import (
    rule_get,
    rule_save,
    rule_set_active,
    rules_export,
    rules_import,
)


@require_GET
def rule_list(request):
    ensure_can(request.user, "automation.edit_rules")
    return list_response(request, RULES, template="automation/rule_list.html")


def _form_page(request, form: RuleForm, rule=None, status: int = 200):
    form.mark_errors()
    event = (form.data.get("event") if form.is_bound else None) or (rule.event if rule else None)
    return render(
        request,
        "automation/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "fields": known_fields(event or None),
            **(_first_pages(request.user, rule) if rule else {}),
            "test_form": RuleTestForm(),
        },
        status=422 if form.errors else status,
    )


def _first_pages(user, rule) -> dict:
    """The first page of the rule's runs and of its misses, as the API pages them."""
    return {
        kind: rule_runs_page(user=user, rule=rule, kind=kind, limit=RULE_LOG_PAGE)
        for kind in ("runs", "misses")
    }


def _save(request, rule=None):
    ensure_can(request.user, "automation.edit_rules")
    form = RuleForm(request.POST or None, initial=RuleForm.initial_of(rule))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if not form.errors:
            try:
                saved = rule_save(by=request.user, data=values, rule_id=rule.pk if rule else None)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("automation:rule_edit", saved.pk)
    return _form_page(request, form, rule)


@require_http_methods(["GET", "POST"])
def rule_new(request):
    return _save(request)


@require_http_methods(["GET", "POST"])
def rule_edit(request, rule_id: int):
    ensure_can(request.user, "automation.edit_rules")
    return _save(request, rule_get(rule_id=rule_id))


@require_GET
def rule_runs_more(request, rule_id: int):
    """The next rows of the rule's runs or misses after ``cursor`` ("Load more", HTMX):
    the rows and, when there are more, the button for the next ones."""
    ensure_can(request.user, "automation.edit_rules")
    rule = rule_get(rule_id=rule_id)
    kind = request.GET.get("kind", "runs")
    page = rule_runs_page(
        user=request.user,
        rule=rule,
        kind=kind,
        cursor=request.GET.get("cursor", ""),
        limit=RULE_LOG_PAGE,
    )
    return render(request, "automation/_run_rows.html", {"rule": rule, "kind": kind, "page": page})


@require_POST
def rule_toggle(request, rule_id: int):
    rule = rule_get(rule_id=rule_id)
    rule = rule_set_active(by=request.user, rule_id=rule.pk, active=not rule.active)
    messages.success(request, _("Rule resumed.") if rule.active else _("Rule paused."))
    return redirect("automation:rule_edit", rule.pk)


@require_POST
def rule_test_view(request, rule_id: int):
    ensure_can(request.user, "automation.edit_rules")
    rule = rule_get(rule_id=rule_id)
    form = RuleTestForm(request.POST)
    outcome = None
    if form.is_valid():
        customer = None
        try:
            if form.cleaned_data.get("customer"):
                customer = customer_get(
                    user=request.user, customer_id=form.cleaned_data["customer"]
                )
        except DomainError as exc:
            form.add_error("customer", str(exc.message))
        else:
            outcome = rule_test(rule=rule, customer=customer, payload=form.cleaned_data["payload"])
    return render(
        request,
        "automation/_rule_test.html",
        {"rule": rule, "test_form": form, "outcome": outcome},
        status=422 if form.errors else 200,
    )


@require_GET
def rules_export_view(request):
    ensure_can(request.user, "automation.edit_rules")
    body = json.dumps(rules_export(), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="panorama-rules.json"'
    return response


@require_http_methods(["GET", "POST"])
def rules_import_view(request):
    ensure_can(request.user, "automation.edit_rules")
    form = RulesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            config = json.loads(form.cleaned_data["file"].read(2_000_000).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            form.add_error("file", _("This file is not JSON."))
        else:
            try:
                created, updated = rules_import(by=request.user, config=config)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("%(c)s rules created, %(u)s updated.") % {"c": created, "u": updated},
                )
                return redirect("automation:rule_list")
    form.mark_errors()
    return render(
        request, "automation/rules_import.html", {"form": form}, status=422 if form.errors else 200
    )
