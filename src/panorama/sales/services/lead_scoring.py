"""Rule-based lead scoring: administrators give points on the lead's fields and on its
behaviour (activities recorded on it); the score is recomputed on every change to the
lead and kept with its explanation (which rule gave how many points)."""

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django_tasks import task

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can

from ..models import Lead, ScoringRule
from ..models.lead_rules import Operator

DATA_FIELDS = ("country", "region", "postal_code")


def field_value(lead: Lead, field: str) -> str:
    """The text of ``field`` on ``lead``: its own field, the e-mail's domain, or a value
    its data holds (country, region, postal code)."""
    if field == "email_domain":
        return lead.email_domain
    if field in DATA_FIELDS:
        return str((lead.data or {}).get(field) or "")
    return str(getattr(lead, field, "") or "")


def _items(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def condition_matches(lead: Lead, *, field: str, operator: str, value: str) -> bool:
    """Whether ``field`` of the lead satisfies ``operator`` ``value`` (case-insensitive)."""
    text = field_value(lead, field).strip().lower()
    wanted = (value or "").strip().lower()
    if operator == Operator.IS_SET:
        return bool(text)
    if operator == Operator.IS_EMPTY:
        return not text
    if not text:
        return False
    if operator == Operator.CONTAINS:
        return wanted in text
    if operator == Operator.EQUALS:
        return text == wanted
    if operator == Operator.STARTS_WITH:
        return text.startswith(wanted)
    if operator == Operator.IN:
        return text in _items(value)
    return False


def active_rules() -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(active=True).order_by("position", "id"))


def lead_score_compute(
    lead: Lead,
    *,
    rules: list[ScoringRule] | None = None,
    counts: dict[str, int] | None = None,
) -> tuple[int, list[dict]]:
    """The lead's score and its explanation: one entry per rule that gave points. Two
    queries at most (the rules, the lead's activity counts); none when both are given
    (``counts``: activity kind -> how many the lead has, e.g. a lead being created in a
    set, whose only activity is its capture)."""
    rules = active_rules() if rules is None else rules
    if counts is None:
        counts = {}
        if lead.pk and any(r.kind == ScoringRule.Kind.BEHAVIOUR for r in rules):
            counts = dict(
                lead.activities.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
            )
    total, explanation = 0, []
    for rule in rules:
        if rule.kind == ScoringRule.Kind.FIELD:
            if not condition_matches(
                lead, field=rule.field, operator=rule.operator, value=rule.value
            ):
                continue
            points, why = rule.points, rule.condition_text()
        else:
            times = counts.get(rule.activity_kind, 0)
            if not times:
                continue
            points = rule.points * times
            if rule.max_points is not None and abs(points) > rule.max_points:
                points = rule.max_points if points > 0 else -rule.max_points
            why = _("%(activity)s × %(n)d") % {
                "activity": rule.get_activity_kind_display(),
                "n": times,
            }
        total += points
        explanation.append({"rule": rule.name, "points": points, "why": why})
    return total, explanation


def lead_score_refresh(lead: Lead, *, rules: list[ScoringRule] | None = None) -> bool:
    """Recompute and store the lead's score; True when it changed."""
    score, explanation = lead_score_compute(lead, rules=rules)
    if score == lead.score and explanation == lead.score_explanation:
        return False
    lead.score, lead.score_explanation = score, explanation
    if lead.pk:
        Lead.objects.filter(pk=lead.pk).update(score=score, score_explanation=explanation)
    return True


@transaction.atomic
def leads_rescore(*, by: User | None) -> int:
    """Recompute every open lead's score after the rules changed; how many changed."""
    ensure_can(by, "sales.configure")
    rules = active_rules()
    changed = 0
    for lead in Lead.objects.filter(status__in=Lead.OPEN_STATUSES).iterator(chunk_size=500):
        changed += lead_score_refresh(lead, rules=rules)
    return changed


@task()
def leads_rescore_task(user_id: int) -> int:
    """``leads_rescore`` in the background, queued when an administrator changes the
    scoring rules (every open lead at once would be too long for a request)."""
    return leads_rescore(by=User.objects.get(pk=user_id))
