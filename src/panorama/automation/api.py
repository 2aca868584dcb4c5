"""The automation API: rules (administrators), their test, export and import; the
user's alerts. The services check the permissions; domain errors become 4xx."""

from typing import Any

from ninja import Router, Status

from panorama.accounts.permissions import ensure_can
from panorama.customers.selectors import customer_get

from .engine import rule_test
from .schemas import (
    AlertIn,
    AlertOut,
    ImportOut,
    MyAlertOut,
    RuleIn,
    RuleOut,
    RuleRunPageOut,
    RulesFileIn,
    RuleTestIn,
    RuleTestOut,
)
from .selectors import alert_get, alerts_for_user, rule_runs_page, rules_all
from .services.alerts import alert_mark_seen, alert_raise
from .services.rules import rule_get, rule_save, rule_set_active, rules_export, rules_import

router = Router(tags=["automation"])


@router.get("/automation/rules", response=list[RuleOut])
def rule_list(request):
    ensure_can(request.user, "automation.edit_rules")
    return list(rules_all().order_by("name")[:500])


@router.post("/automation/rules", response={201: RuleOut})
def rule_create(request, payload: RuleIn):
    return Status(201, rule_save(by=request.user, data=payload.dict()))


@router.get("/automation/rules/export", response=dict[str, Any])
def rule_export(request):
    ensure_can(request.user, "automation.edit_rules")
    return rules_export()


@router.post("/automation/rules/import", response=ImportOut)
def rule_import(request, payload: RulesFileIn):
    created, updated = rules_import(by=request.user, config=payload.dict())
    return {"created": created, "updated": updated}


@router.get("/automation/rules/{rule_id}", response=RuleOut)
def rule_detail(request, rule_id: int):
    ensure_can(request.user, "automation.edit_rules")
    return rule_get(rule_id=rule_id)


@router.get("/automation/rules/{rule_id}/runs", response=RuleRunPageOut)
def rule_run_list(request, rule_id: int, kind: str = "runs", cursor: str = "", limit: int = 50):
    """The rule's log, newest first: ``kind=runs`` (matched or failed, what was done) or
    ``kind=misses`` (events it did not match, and why); ``next_cursor`` pages on."""
    ensure_can(request.user, "automation.edit_rules")
    page = rule_runs_page(
        user=request.user,
        rule=rule_get(rule_id=rule_id),
        kind=kind,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.put("/automation/rules/{rule_id}", response=RuleOut)
def rule_update(request, rule_id: int, payload: RuleIn):
    return rule_save(by=request.user, data=payload.dict(), rule_id=rule_id)


@router.post("/automation/rules/{rule_id}/pause", response=RuleOut)
def rule_pause(request, rule_id: int):
    return rule_set_active(by=request.user, rule_id=rule_id, active=False)


@router.post("/automation/rules/{rule_id}/resume", response=RuleOut)
def rule_resume(request, rule_id: int):
    return rule_set_active(by=request.user, rule_id=rule_id, active=True)


@router.post("/automation/rules/{rule_id}/test", response=RuleTestOut)
def rule_test_api(request, rule_id: int, payload: RuleTestIn):
    ensure_can(request.user, "automation.edit_rules")
    rule = rule_get(rule_id=rule_id)
    customer = None
    if payload.customer_id is not None:
        customer = customer_get(user=request.user, customer_id=payload.customer_id)
    outcome = rule_test(rule=rule, customer=customer, payload=payload.payload)
    return {
        "matched": outcome.matched,
        "explanation": outcome.explanation,
        "actions": outcome.actions_done,
    }


@router.get("/automation/alerts", response=list[MyAlertOut])
def my_alerts(request, unseen: bool = False):
    return list(alerts_for_user(request.user, unseen_only=unseen)[:100])


@router.post("/automation/alerts", response={201: AlertOut})
def alert_create(request, payload: AlertIn):
    """Raise an alert about a customer by hand (the service the rules use): it lands in
    the assignee's alerts and on the customer's timeline."""
    alert = alert_raise(by=request.user, by_hand=True, **payload.dict())
    return Status(201, alert)


@router.post("/automation/alerts/{alert_id}/seen", response=MyAlertOut)
def alert_seen(request, alert_id: int):
    alert_mark_seen(by=request.user, alert_id=alert_id)
    return alerts_for_user(request.user).filter(pk=alert_id).first() or alert_get(
        user=request.user, alert_id=alert_id
    )
