"""Designing a journey: its trigger, its steps (checked and described) and its status."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import catalogue, emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for

from ... import messages
from ...models import (
    Enrolment,
    Journey,
    JourneyStep,
    MessageTemplate,
    Segment,
    SignupForm,
    StaticList,
)
from . import tree
from .gate import purchase_gate_clear

SUBSCRIBER = "marketing.journeys"
BATCH = 200
MAX_STEPS = 30
MAX_STEPS_PER_RUN = 50  # a safety net: the road is a tree, so a run always ends
MAX_BRANCH_DEPTH = 3  # branches inside branches' paths, at most this deep
# What a branch tests, after its wait.
BRANCH_TESTS = {
    "opened": gettext_lazy("opened the previous e-mail"),
    "clicked": gettext_lazy("clicked a link of the previous e-mail"),
    "bought": gettext_lazy("bought since entering the journey"),
}
# Events that may start a journey (each carries the customer).
JOURNEY_EVENTS = (
    "customer.created",
    "holding.added",
    "lead.converted",
    "opportunity.won",
    "order.created",
    "case.opened",
    "consent.given",
    "web.event_tracked",
    "campaign.clicked",
)
K = JourneyStep.Kind


def journey_events() -> list[str]:
    return [name for name in JOURNEY_EVENTS if name in catalogue]


def _int(config: dict, key: str, low: int, high: int, label: str) -> int:
    value = config.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationFailed(
            _("%(label)s is a whole number from %(low)s to %(high)s.")
            % {"label": label, "low": low, "high": high},
            field=f"config.{key}",
        )
    return value


def _ref(config: dict, key: str, model, label: str) -> int:
    value = config.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if (
        not isinstance(value, int)
        or not 0 < value < 2**63
        or not model.objects.filter(pk=value).exists()
    ):
        raise ValidationFailed(_("Choose the %(label)s.") % {"label": label}, field=f"config.{key}")
    return value


def _text(config: dict, key: str, label: str, limit: int = 200) -> str:
    value = str(config.get(key) or "").strip()
    if not value:
        raise ValidationFailed(_("Write the %(label)s.") % {"label": label}, field=f"config.{key}")
    if len(value) > limit:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": limit}, field=f"config.{key}")
    return value


def step_config_check(kind: str, config: Any) -> dict:
    """The step's settings, checked and normalised (the one validation of a step)."""
    if kind not in K.values:
        raise ValidationFailed(_("Unknown step %(k)s.") % {"k": kind}, field="kind")
    config = config if isinstance(config, dict) else {}
    if kind == K.WAIT:
        return {"days": _int(config, "days", 0, 365, _("The number of days"))}
    if kind == K.SEND:
        return {"template": _ref(config, "template", MessageTemplate, _("message"))}
    if kind == K.CONDITION:
        negate = config.get("negate") in (True, "true", "on", "1", 1)
        return {"segment": _ref(config, "segment", Segment, _("segment")), "negate": negate}
    if kind == K.ADD_TO_LIST:
        return {"list": _ref(config, "list", StaticList, _("list"))}
    if kind == K.TASK:
        return {
            "subject": _text(config, "subject", _("task's subject")),
            "in_days": _int(config, "in_days", 0, 365, _("The number of days")),
        }
    if kind == K.BRANCH:
        test = config.get("test")
        if test not in BRANCH_TESTS:
            raise ValidationFailed(
                _("A branch tests whether the customer %(tests)s.")
                % {"tests": ", ".join(str(t) for t in BRANCH_TESTS.values())},
                field="config.test",
            )
        return {"test": test, "days": _int(config, "days", 0, 365, _("The number of days"))}
    return {"title": _text(config, "title", _("alert's title"))}


def step_describe(step: JourneyStep) -> str:
    c = step.config
    if step.kind == K.WAIT:
        return _("Wait %(n)s days") % {"n": c.get("days")}
    names: dict[str, tuple[Any, str]] = {
        K.SEND: (MessageTemplate, "template"),
        K.CONDITION: (Segment, "segment"),
        K.ADD_TO_LIST: (StaticList, "list"),
    }
    if step.kind in names:
        model, key = names[step.kind]
        name = str(model.objects.filter(pk=c.get(key)).first() or "?")
        if step.kind == K.SEND:
            return _("Send “%(name)s”") % {"name": name}
        if step.kind == K.ADD_TO_LIST:
            return _("Add to the list “%(name)s”") % {"name": name}
        if c.get("negate"):
            return _("Continue only if not in the segment “%(name)s”") % {"name": name}
        return _("Continue only if in the segment “%(name)s”") % {"name": name}
    if step.kind == K.TASK:
        return _("Task “%(s)s” in %(n)s days") % {"s": c.get("subject"), "n": c.get("in_days")}
    if step.kind == K.BRANCH:
        return _("Wait until the customer has %(test)s, at most %(n)s days: yes or no") % {
            "n": c.get("days"),
            "test": BRANCH_TESTS.get(c.get("test", ""), "?"),
        }
    return _("Alert “%(s)s”") % {"s": c.get("title")}


@transaction.atomic
def journey_save(
    *,
    by: User | None,
    name: str,
    trigger: str,
    trigger_list: int | None = None,
    trigger_form: int | None = None,
    trigger_event: str = "",
    trigger_days: int | None = None,
    allow_reentry: bool = False,
    journey: Journey | None = None,
) -> Journey:
    """Create a journey (a draft) or change its name and trigger (a dated trigger is
    looked at again the same day)."""
    ensure_can(by, "marketing.send_campaigns")
    # A fresh copy: the caller's may hold a status changed since.
    journey = (
        Journey.objects.select_for_update().get(pk=journey.pk) if journey else Journey(owner=by)
    )
    journey.name = (name or "").strip()
    if not journey.name:
        raise ValidationFailed(_("A journey needs a name."), field="name")
    if trigger not in Journey.Trigger.values:
        raise ValidationFailed(_("Unknown trigger %(t)s.") % {"t": trigger}, field="trigger")
    journey.trigger = trigger
    journey.trigger_list = journey.trigger_form = None
    journey.trigger_event = ""
    journey.trigger_days = journey.dates_checked_on = None
    if trigger == Journey.Trigger.LIST_JOINED:
        journey.trigger_list_id = _ref({"list": trigger_list}, "list", StaticList, _("list"))
    elif trigger == Journey.Trigger.CONFIRMED:
        journey.trigger_form_id = _ref(
            {"form": trigger_form}, "form", SignupForm, _("sign-up form")
        )
    elif trigger == Journey.Trigger.HOLDING_END:
        days = trigger_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            raise ValidationFailed(
                _("Say within how many days the product ends: from 1 to 365."),
                field="trigger_days",
            )
        journey.trigger_days = days
    elif trigger == Journey.Trigger.EVENT:
        if trigger_event not in journey_events():
            raise ValidationFailed(
                _("A journey cannot start on the event %(e)s.") % {"e": trigger_event or "—"},
                field="trigger_event",
            )
        journey.trigger_event = trigger_event
    journey.allow_reentry = bool(allow_reentry)
    rules_for(Journey).check(journey)
    journey.save()
    return journey


def _steps(journey: Journey) -> list[JourneyStep]:
    return list(journey.steps.order_by("position", "id"))


def _renumber(steps: list[JourneyStep]) -> None:
    for index, step in enumerate(steps):
        if step.position != index:
            step.position = index
            step.save(update_fields=["position"])


def _branch_of(steps: list[JourneyStep], parent: int | None, path: str) -> JourneyStep | None:
    """The branch a new step goes under (None: the main road), checked."""
    if parent in (None, "", 0):
        if path:
            raise ValidationFailed(_("Choose the branch of this path."), field="parent")
        return None
    branch = next((s for s in steps if str(s.pk) == str(parent)), None)
    if branch is None or branch.kind != K.BRANCH:
        raise ValidationFailed(_("Choose a branch step of this journey."), field="parent")
    if path not in ("yes", "no"):
        raise ValidationFailed(_("A branch has a yes path and a no path."), field="path")
    return branch


@transaction.atomic
def step_add(
    *,
    by: User | None,
    journey: Journey,
    kind: str,
    config: Any,
    position: int | None = None,
    parent: int | None = None,
    path: str = "",
) -> JourneyStep:
    """Add a step at ``position`` (0 first; None: last) on the main road, or on the yes
    or no ``path`` of the branch step ``parent``."""
    ensure_can(by, "marketing.send_campaigns")
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    checked = step_config_check(kind, config)
    steps = _steps(journey)
    if len(steps) >= MAX_STEPS:
        raise ValidationFailed(
            _("A journey has at most %(n)s steps.") % {"n": MAX_STEPS}, field="kind"
        )
    branch = _branch_of(steps, parent, path or "")
    if kind == K.BRANCH and branch and tree.depth(steps, branch) + 1 >= MAX_BRANCH_DEPTH:
        raise ValidationFailed(
            _("Branches nest at most %(n)s deep.") % {"n": MAX_BRANCH_DEPTH}, field="parent"
        )
    road = tree.line(steps, branch.pk if branch else None, path if branch else "")
    index = len(road) if position is None else max(0, min(int(position), len(road)))
    step = JourneyStep(
        journey=journey,
        parent=branch,
        path=path if branch else "",
        position=index,
        kind=kind,
        config=checked,
    )
    rules_for(JourneyStep).check(step)
    step.save()
    road.insert(index, step)
    _renumber(road)
    purchase_gate_clear()
    return step


@transaction.atomic
def step_remove(*, by: User | None, step: JourneyStep) -> None:
    """Remove a step (a branch with its paths); customers whose next step it was (or one
    on its paths) go on with the step after it."""
    ensure_can(by, "marketing.send_campaigns")
    steps = _steps(Journey.objects.select_for_update().get(pk=step.journey_id))
    step = next(s for s in steps if s.pk == step.pk)
    following = tree.step_next(steps, step)
    Enrolment.objects.filter(
        step_id__in=tree.subtree(steps, step), status=Enrolment.Status.ACTIVE
    ).update(step=following, branch_since=None)
    road = [s for s in tree.line_of(steps, step) if s.pk != step.pk]
    step.delete()
    _renumber(road)
    purchase_gate_clear()


@transaction.atomic
def step_move(*, by: User | None, step: JourneyStep, offset: int) -> None:
    """Move a step up (-1) or down (+1) on its road (a branch moves with its paths)."""
    ensure_can(by, "marketing.send_campaigns")
    steps = _steps(Journey.objects.select_for_update().get(pk=step.journey_id))
    road = tree.line_of(steps, next(s for s in steps if s.pk == step.pk))
    index = next(i for i, s in enumerate(road) if s.pk == step.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(road):
        raise ValidationFailed(_("The step cannot move further."), field="position")
    road[index], road[target] = road[target], road[index]
    _renumber(road)
    purchase_gate_clear()


def _check_branches(steps: list[JourneyStep]) -> None:
    """An "opened" or "clicked" branch needs an e-mail sent before it on every road."""
    for step in steps:
        if step.kind != K.BRANCH or step.config.get("test") not in ("opened", "clicked"):
            continue
        if not any(s.kind == K.SEND for s in tree.always_before(steps, step)):
            raise ValidationFailed(
                _("The branch “%(label)s” needs an e-mail sent before it.")
                % {"label": step_describe(step)},
                field="status",
            )


@transaction.atomic
def journey_set_status(*, by: User | None, journey: Journey, status: str) -> Journey:
    """Activate, pause or resume. A journey needs a step to be activated, and its steps
    are checked again (a template or segment deleted since is named)."""
    ensure_can(by, "marketing.send_campaigns")
    if status not in (Journey.Status.ACTIVE, Journey.Status.PAUSED):
        raise ValidationFailed(_("A journey is active or paused."), field="status")
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if status == Journey.Status.ACTIVE:
        steps = _steps(journey)
        if not steps:
            raise ValidationFailed(_("Add a step before activating the journey."), field="status")
        _check_branches(steps)
        for step in steps:
            step_config_check(step.kind, step.config)
            if step.kind == K.SEND:
                messages.Compiled(MessageTemplate.objects.get(pk=step.config["template"]))
    elif journey.status != Journey.Status.ACTIVE:
        raise Conflict(_("Only an active journey can be paused."), field="status")
    journey.status = status
    journey.save(update_fields=["status"])
    purchase_gate_clear()
    emit("journey.status_changed", journey_id=journey.pk, status=status, by=by.pk if by else None)
    return journey


@transaction.atomic
def journey_delete(*, by: User | None, journey: Journey) -> None:
    """Delete a journey nobody went through, with its steps. Refused, saying why, while
    it is active (it could enrol someone meanwhile: pause it first) and once a customer
    entered it (its history, who got which e-mail, stays: pause it instead)."""
    ensure_can(by, "marketing.send_campaigns")
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.status == Journey.Status.ACTIVE:
        raise Conflict(_("The journey is active: pause it first."), field="journey")
    entered = Enrolment.objects.filter(journey=journey).count()
    if entered:
        raise Conflict(
            ngettext(
                "%(n)s customer went through it: pause it instead, its history stays.",
                "%(n)s customers went through it: pause it instead, its history stays.",
                entered,
            )
            % {"n": entered},
            field="journey",
        )
    journey_id, name = journey.pk, journey.name
    journey.delete()
    purchase_gate_clear()
    emit("journey.deleted", journey_id=journey_id, name=name, by=by.pk if by else None)
