"""Assignment rules: who gets a lead captured without an owner.

The active rules are tried in order. A rule matches the lead (round robin: always;
territory: its countries / regions / postal code prefixes against the lead's data;
criteria: its field condition) and then picks a rep: the rule's rep, or the next of
its team's reps in turn; a rep holding ``capacity`` open leads or more is skipped. The
first rule that finds a rep assigns the lead, and the lead keeps the explanation."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, Team, User

from ..models import AssignmentRule, Lead
from .lead_scoring import condition_matches, field_value


@dataclass
class Assignment:
    owner: User | None
    team: Team
    rule: AssignmentRule
    note: str


def _territory_matches(lead: Lead, rule: AssignmentRule) -> str | None:
    """The words saying why the lead is in the rule's territory, or None."""
    reasons = []
    for field, values in (
        ("country", rule.countries),
        ("region", rule.regions),
        ("postal_code", rule.postal_prefixes),
    ):
        wanted = [v.strip().lower() for v in values.split(",") if v.strip()]
        if not wanted:
            continue
        have = field_value(lead, field).strip().lower().replace(" ", "")
        if field == "postal_code":
            hit = next((w for w in wanted if have.startswith(w)), None)
        else:
            hit = have if have in wanted else None
        if not have or hit is None:
            return None
        reasons.append(f"{field}={field_value(lead, field)}")
    return ", ".join(reasons)


def _open_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Lead.objects.filter(owner_id__in=user_ids, status__in=Lead.OPEN_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {row["owner_id"]: row["n"] for row in rows}


def _candidates(rule: AssignmentRule) -> list[User]:
    if rule.owner_id is not None:
        return [rule.owner] if rule.owner and rule.owner.is_active else []
    return list(
        User.objects.filter(
            Q(teams=rule.team_id), is_active=True, role__in=[Role.SALES_REP, Role.SALES_MANAGER]
        )
        .distinct()
        .order_by("id")
    )


def _pick(rule: AssignmentRule) -> tuple[User | None, str]:
    """The rep the rule gives the lead to (next in turn, under capacity), and why."""
    reps = _candidates(rule)
    if not reps:
        return None, ""
    counts = _open_counts([r.pk for r in reps]) if rule.capacity is not None else {}
    if rule.owner_id is None and rule.last_assigned_id is not None:
        # Round robin: start after the one who got the last lead.
        after = [r for r in reps if r.pk > rule.last_assigned_id]
        reps = after + [r for r in reps if r.pk <= rule.last_assigned_id]
    for rep in reps:
        held = counts.get(rep.pk, 0)
        if rule.capacity is not None and held >= rule.capacity:
            continue
        if rule.capacity is not None:
            return rep, _("%(held)d of at most %(cap)d open leads") % {
                "held": held,
                "cap": rule.capacity,
            }
        return rep, ""
    return None, _("every rep at capacity")


def assignment_find(lead: Lead) -> Assignment | None:
    """The first active rule that matches ``lead`` and has a rep for it (None: none)."""
    # Locked: two leads captured at once do not both take the same turn.
    rules = (
        AssignmentRule.objects.filter(active=True)
        .select_related("team", "owner")
        .select_for_update(of=("self",))
    )
    for rule in rules.order_by("position", "id"):
        if rule.kind == AssignmentRule.Kind.TERRITORY:
            why = _territory_matches(lead, rule)
            if why is None:
                continue
        elif rule.kind == AssignmentRule.Kind.CRITERIA:
            if not condition_matches(
                lead, field=rule.field, operator=rule.operator, value=rule.value
            ):
                continue
            why = rule.condition_text()
        else:
            why = _("round robin in %(team)s") % {"team": rule.team.name}
        rep, load = _pick(rule)
        if rep is None:
            continue
        note = _("Rule “%(rule)s” (%(why)s) → %(rep)s") % {
            "rule": rule.name,
            "why": why,
            "rep": rep.get_full_name() or rep.username,
        }
        if load:
            note += f"; {load}"
        return Assignment(owner=rep, team=rule.team, rule=rule, note=note[:300])
    return None


def assignment_apply(lead: Lead) -> Assignment | None:
    """Give an unowned lead to the rep the rules choose (not saved: the caller saves).
    The round robin's turn advances."""
    if lead.owner_id is not None:
        return None
    found = assignment_find(lead)
    if found is None:
        return None
    lead.owner, lead.team, lead.assignment_note = found.owner, found.team, found.note
    if found.rule.owner_id is None and found.owner is not None:
        AssignmentRule.objects.filter(pk=found.rule.pk).update(last_assigned=found.owner)
    return found
