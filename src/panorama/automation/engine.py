"""Running the rules: the outbox's durable subscriber ``automation.rules`` (every event,
at least once) and "test against a sample record". The daily scheduled rules are in
``scheduled.py``.

Each event is evaluated against the active rules on it; each evaluation is a
``RuleRun`` (matched or not, the reasons, the actions done, the error). A run's key is
``event:<outbox id>``: a redelivered event finds its runs and does nothing again. The
actions of one run happen in one savepoint: an action that fails undoes the run's other
writes and the error is kept on the run. Events caused by a rule's actions carry their
depth (``core.events.caused_at_depth``); past ``PANORAMA_RULE_MAX_DEPTH`` a rule does not
run, so a rule that triggers itself stops. What a failed action must leave behind (a
refused SMS kept as a failed message: ``outreach.KeptFailure``) is written again after
that rollback, in its own savepoint.
"""

import functools
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.core.bulk import model_new, objects_insert
from panorama.core.events import DEPTH_KEY, caused_at_depth
from panorama.core.exceptions import DomainError

from .actions import describe, run_action
from .conditions import Subject, compile_conditions, field_heads, subjects_preload, value_of
from .conditions import _compare as compare
from .conditions import _shown as shown
from .models import EventCheck, Rule, RuleRun
from .outreach import KeptFailure

logger = logging.getLogger(__name__)
SUBSCRIBER = "automation.rules"
# The events a rule may trigger on: the customer's business moments. Only these are
# written to the outbox for the rules (an event nobody durable wants costs no query).
RULE_EVENTS = (
    "activity.completed",
    "alert.raised",
    "billing.incident_opened",
    "callback.requested",
    "case.escalated",
    "case.opened",
    "case.sla_warned",
    "consent.given",
    "consent.withdrawn",
    "contract.renewal_due",
    "csat.answered",
    "customer.created",
    "fax.received",
    "holding.added",
    "interaction.recorded",
    "lead.converted",
    "lead.created",
    "mail.bounced",
    "mail.received",
    "message.received",
    "message.status_changed",
    "opportunity.lost",
    "opportunity.won",
    "order.created",
    "quote.status_changed",
    "web.event_tracked",
    "web.visitor_identified",
)
# The channels' events (an e-mail, an SMS, a fax came in; a contact was recorded; a
# message's delivery changed): busy, so written to the outbox for the rules only while
# an active rule listens to them (``wanted_now``, the outbox's gate).
ON_DEMAND_EVENTS = frozenset(
    {
        "fax.received",
        "interaction.recorded",
        "mail.bounced",
        "mail.received",
        "message.received",
        "message.status_changed",
    }
)


def rule_events() -> list[str]:
    from panorama.core.events import catalogue

    return [name for name in RULE_EVENTS if name in catalogue]


def wanted_now(event: str) -> bool:
    """The outbox's gate for the rules: a channel event is written for them only while an
    active rule is on it (the active rules as ``rules_on`` reads them: a rule saved in
    another process gets its events within 5 seconds); any other rule event always."""
    return event not in ON_DEMAND_EVENTS or bool(rules_on(event))


def subscribed_events() -> list[str]:
    """What the rules' durable subscriber takes: the rule events and the batches of them
    (``sla.cases_escalated`` stands for many ``case.escalated``; expanded here)."""
    from panorama.core.events import batches

    wanted = rule_events()
    return wanted + sorted(name for name, (member, _f) in batches.items() if member in wanted)


_CACHE_SECONDS = 5.0
SLICE = 5000  # events checked together (``handle_events``)
_cache: dict[str, Any] = {"at": 0.0, "by_event": {}}


def max_depth() -> int:
    return getattr(settings, "PANORAMA_RULE_MAX_DEPTH", 5)


def rules_forget() -> None:
    """Drop this process's copy of the active rules (after a save; others within 5 s)."""
    _cache["at"] = 0.0


def _guard(rule: Rule) -> tuple[str, Any] | None:
    """The rule's first test when it is "all: [event.<field> = <constant>, ...]": most
    events fail it, and it is checked with one lookup before the whole tree."""
    children = (rule.conditions or {}).get("all")
    if not isinstance(children, list) or not children:
        return None
    first = children[0]
    if (
        isinstance(first, dict)
        and first.get("op") == "eq"
        and str(first.get("field", "")).startswith("event.")
        and type(first.get("value")) in (str, int)
    ):
        return first["field"], first["value"]
    return None


def _guard_miss(rule: Rule, subject: Subject) -> list[str] | None:
    """The explanation ``evaluate`` would give when the guard fails, else None."""
    guard = rule._guard  # type: ignore[attr-defined]
    if guard is None:
        return None
    field_name, expected = guard
    actual = value_of(field_name, subject)
    if compare("eq", actual, expected):
        return None
    return ["all:", f"  {field_name} ({shown(actual)}) = {shown(expected)} ✗"]


def rules_on(event: str) -> list[Rule]:
    now = time.monotonic()
    if now - _cache["at"] > _CACHE_SECONDS:
        by_event: dict[str, list[Rule]] = {}
        for rule in Rule.objects.filter(active=True, trigger=Rule.Trigger.EVENT).order_by("id"):
            rule._guard = _guard(rule)  # type: ignore[attr-defined]
            rule._heads = field_heads(rule.conditions)  # type: ignore[attr-defined]
            rule._check = compile_conditions(rule.conditions)  # type: ignore[attr-defined]
            rule._alerts_only = bool(rule.actions) and all(  # type: ignore[attr-defined]
                a.get("type") == "alert" for a in rule.actions
            )
            by_event.setdefault(rule.event, []).append(rule)
        _cache["by_event"], _cache["at"] = by_event, now
    return _cache["by_event"].get(event, [])


def _customer(customer_id: Any):
    from panorama.customers.models import Customer

    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        return None
    return Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()


@dataclass
class Outcome:
    matched: bool
    explanation: list[str]
    actions_done: list[str] = field(default_factory=list)
    error: str = ""


def _run_actions(rule: Rule, subject: Subject, key: str, depth: int) -> tuple[list[str], str]:
    done: list[str] = []
    try:
        with transaction.atomic(), caused_at_depth(depth + 1):
            for index, action in enumerate(rule.actions):
                done.append(run_action(action, subject=subject, rule=rule, key=key, index=index))
    except KeptFailure as exc:
        _keep(rule, exc)
        return [], str(exc.message)
    except DomainError as exc:
        return [], str(exc.message)
    except Exception as exc:  # a webhook down, a bug: kept on the run for the admin
        logger.exception("rule %s failed", rule.pk)
        return [], f"{type(exc).__name__}: {exc}"[:2000]
    return done, ""


def _keep(rule: Rule, failure: KeptFailure) -> None:
    """Write what ``failure`` leaves behind, now that the run's savepoint is undone."""
    try:
        with transaction.atomic():
            failure.keep()
    except Exception:  # the run keeps its error; the log says why the record is missing
        logger.exception("rule %s: the failed action's record could not be kept", rule.pk)


def _checker(rule: Rule):
    """The rule's compiled conditions (compiled when the active rules are read)."""
    check = getattr(rule, "_check", None)
    return check if check is not None else compile_conditions(rule.conditions)


def evaluate_rule(rule: Rule, subject: Subject, *, key: str, depth: int, act: bool) -> Outcome:
    matched, lines = _checker(rule)(subject)
    if not matched:
        return Outcome(False, lines)
    if not act:
        return Outcome(True, lines, [describe(a) for a in rule.actions])
    if not rule.actions:
        return Outcome(True, lines)
    done, error = _run_actions(rule, subject, key, depth)
    return Outcome(True, lines, done, error)


def handle_event(name: str, payload: dict[str, Any], event_id: int) -> None:
    """The durable handler: evaluate ``name`` against its active rules, once per event."""
    handle_events([(name, payload, event_id)])


@dataclass
class _Pending:
    """One event of a batch on its way through the rules."""

    name: str
    key: str
    depth: int
    customer_id: int | None
    subject: Subject
    candidates: list[Rule]  # the rules whose guard holds (all of them past the depth limit)
    misses: dict[str, list[str]]
    runs: list[RuleRun] = field(default_factory=list)


def _known_id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _screen(rules: list[Rule], subject: Subject, cache: dict) -> tuple[list[Rule], dict]:
    """The rules whose guard holds for ``subject``, and the misses of the others. Events
    with the same guard values (most of a batch: a handful of event names) share one
    answer, so 50 rules cost a dict lookup per event, not 50 comparisons."""
    fields = cache.get(id(rules))
    if fields is None:
        guards = [r._guard[0] for r in rules if r._guard is not None]  # type: ignore[attr-defined]
        fields = cache[id(rules)] = sorted(set(guards))
    key: tuple | None = (id(rules),)
    for name in fields:
        value = value_of(name, subject)
        key += (type(value), value)  # type: ignore[operator]
    try:
        hash(key)
    except TypeError:  # a dict or a list in the event's data: no sharing
        key = None
    if key is not None and key in cache:
        return cache[key]
    candidates, misses = [], {}
    for rule in rules:
        missed = _guard_miss(rule, subject)
        if missed is None:
            candidates.append(rule)
        else:
            misses[str(rule.pk)] = missed
    if key is not None:
        cache[key] = (candidates, misses)
    return candidates, misses


def _preload(pending: list[_Pending]) -> None:
    """The customers the batch's rules will look at, and what those rules read of them
    (holdings, consents, registered namespaces such as scores): one query each for the
    whole batch (``subjects_preload``)."""
    from panorama.customers.models import Customer

    wanted = [p for p in pending if p.candidates and p.customer_id is not None]
    ids = {p.customer_id for p in wanted}
    if not ids:
        for p in pending:
            if p.customer_id is None:
                p.subject.customer = None
        return
    customers = Customer.objects.filter(merged_into__isnull=True).in_bulk(list(ids))
    heads: set[str] = set()
    for p in wanted:
        for rule in p.candidates:
            heads |= rule._heads  # type: ignore[attr-defined]
    for p in pending:
        if p.customer_id is None:
            p.subject.customer = None
        elif p.customer_id in ids:
            p.subject.customer = customers.get(p.customer_id)
    subjects_preload([p.subject for p in wanted], heads)


def _fresh(p: _Pending) -> None:
    """Forget what was preloaded for ``p``'s customer: an earlier event's actions in this
    batch changed him, so he is read again (as one event at a time would)."""
    p.subject = Subject(event=p.name, payload=p.subject.payload)
    p.subject.loader = functools.partial(_customer, p.customer_id)


def handle_events(events: list[tuple[str, dict[str, Any], int]]) -> None:
    """The durable batch handler: each event evaluated against its active rules, once.

    A batch event (``sla.cases_escalated``) counts as the events it stands for, each
    keyed ``event:<outbox id>:<position>``. For every slice of ``SLICE`` events, whatever
    the batch's size: one query for the events already done, one for their
    customers, one each for holdings and consents when a rule reads them, one INSERT of
    the checks and one of the runs; alerts-only rules raise their alerts in one INSERT
    too. Other actions (agenda, assign, a field, a webhook) run one rule at a time in
    their savepoint, and their customer is read again by the batch's later events."""
    singles = [
        (name, payload, key)
        for name, payload, key in _singles(events)
        if rules_on(name)  # no rule on it: nothing to check or log
    ]
    # A batch of batch events (the SLA sweep's, 1,000 escalations each) is checked in
    # slices, so the keys looked up and the subjects held stay bounded.
    for start in range(0, len(singles), SLICE):
        _handle_singles(singles[start : start + SLICE])


def _handle_singles(singles: list[tuple[str, dict[str, Any], str]]) -> None:
    from .actions import alerts_raise

    batch: list[_Pending] = []
    keys = [key for _n, _p, key in singles]
    seen = set(EventCheck.objects.filter(key__in=keys).values_list("key", flat=True))
    limit = max_depth()
    cache: dict = {}
    for name, payload, key in singles:
        rules = rules_on(name)
        if key in seen:  # delivered again: done already
            continue
        seen.add(key)
        depth = payload.get(DEPTH_KEY, 0)
        data = {k: v for k, v in payload.items() if k != DEPTH_KEY}
        subject = Subject(event=name, payload=data)
        customer_id = _known_id(data.get("customer_id"))
        subject.loader = functools.partial(_customer, customer_id)
        misses: dict[str, list[str]]
        if depth >= limit:
            candidates, misses = list(rules), {}
        else:
            candidates, misses = _screen(rules, subject, cache)
            misses = dict(misses)
        batch.append(_Pending(name, key, depth, customer_id, subject, candidates, misses))
    _preload(batch)
    touched: set[int] = set()
    alerting: list[tuple[_Pending, RuleRun, Rule]] = []
    for p in batch:
        if p.customer_id in touched:
            _fresh(p)
        subject = p.subject
        for rule in p.candidates:
            if p.depth >= limit:
                stopped = _("Stopped: %(n)s rules ran in a chain before this event.") % {
                    "n": p.depth
                }
                outcome = Outcome(False, [stopped])
            else:
                if rule._alerts_only:  # type: ignore[attr-defined]
                    matched, lines = rule._check(subject)  # type: ignore[attr-defined]
                    if matched:
                        run = _run(rule, p, Outcome(True, lines))
                        alerting.append((p, run, rule))
                    else:
                        p.misses[str(rule.pk)] = lines
                    continue
                outcome = evaluate_rule(rule, subject, key=p.key, depth=p.depth, act=True)
                if not outcome.matched:
                    p.misses[str(rule.pk)] = outcome.explanation
                    continue
                if rule.actions and p.customer_id is not None:
                    touched.add(p.customer_id)
            _run(rule, p, outcome)
    if alerting:
        alerts_raise(alerting)
    # One prepared INSERT per table (``core.bulk``: bulk_create compiles value by value).
    objects_insert(
        [
            model_new(
                EventCheck,
                key=p.key,
                event=p.name,
                customer_id=p.customer_id,
                misses=p.misses,
                depth=p.depth,
            )
            for p in batch
        ]
    )
    objects_insert([run for p in batch for run in p.runs])


def _singles(events: list[tuple[str, dict[str, Any], int]]) -> list[tuple[str, dict, str]]:
    """Each event with its key (``event:<outbox id>``); a batch event expanded into the
    events it stands for, keyed ``event:<outbox id>:<position>``."""
    from panorama.core.events import batch_members, batches

    out = []
    for name, payload, event_id in events:
        if name not in batches:
            out.append((name, payload, f"event:{event_id}"))
            continue
        if not rules_on(batches[name][0]):
            continue
        for i, (member, data) in enumerate(batch_members(name, payload)):
            out.append((member, data, f"event:{event_id}:{i}"))
    return out


def _run(rule: Rule, p: _Pending, outcome: Outcome) -> RuleRun:
    run = model_new(
        RuleRun,
        rule=rule,
        key=p.key,
        event=p.name,
        customer=p.subject.customer,
        matched=outcome.matched,
        explanation=outcome.explanation,
        actions_done=outcome.actions_done,
        error=outcome.error,
        depth=p.depth,
    )
    p.runs.append(run)
    return run


def rule_test(*, rule: Rule, customer=None, payload: dict[str, Any] | None = None) -> Outcome:
    """What ``rule`` would do for this customer and event data, with the reasons; no
    action is done and nothing is logged."""
    subject = Subject(event=rule.event, payload=payload or {}, customer_given=customer)
    if customer is not None and "customer_id" not in subject.payload:
        subject.payload = {**subject.payload, "customer_id": customer.pk}
    return evaluate_rule(rule, subject, key="test", depth=0, act=False)
