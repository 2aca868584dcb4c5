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


def _rule_why(lead: Lead, rule: AssignmentRule) -> str | None:
    """Why ``rule`` matches ``lead``, in words (None: it does not)."""
    if rule.kind == AssignmentRule.Kind.TERRITORY:
        return _territory_matches(lead, rule)
    if rule.kind == AssignmentRule.Kind.CRITERIA:
        if not condition_matches(lead, field=rule.field, operator=rule.operator, value=rule.value):
            return None
        return rule.condition_text()
    return _("round robin in %(team)s") % {"team": rule.team.name}


class AssignmentPlan:
    """The active rules applied to leads one after another, as many captures in a row
    would: the rules are read (and locked: two captures at once do not both take the
    same turn) once, each rule's reps and their open leads once, then every lead given
    a rep advances the round robin's turn and adds one to its rep's open leads, in
    memory. A set of leads (an import's batch) costs the same queries as one lead;
    ``save`` writes the turns that moved (one UPDATE per rule)."""

    def __init__(self) -> None:
        self.rules = list(
            AssignmentRule.objects.filter(active=True)
            .select_related("team", "owner")
            .select_for_update(of=("self",))
            .order_by("position", "id")
        )
        self._reps: dict[int, list[User]] = {}
        self._held: dict[int, int] = {}  # open leads per rep, as stored before this plan
        self._given: dict[int, int] = {}  # leads this plan gave each rep
        self._moved: dict[int, int] = {}  # rule id -> the rep who got its last lead

    def _pick(self, rule: AssignmentRule) -> tuple[User | None, str]:
        """The rep the rule gives the lead to (next in turn, under capacity), and why."""
        if rule.pk not in self._reps:
            self._reps[rule.pk] = _candidates(rule)
        reps = self._reps[rule.pk]
        if not reps:
            return None, ""
        if rule.capacity is not None:
            unread = [r.pk for r in reps if r.pk not in self._held]
            if unread:
                self._held.update(dict.fromkeys(unread, 0) | _open_counts(unread))
        if rule.owner_id is None and rule.last_assigned_id is not None:
            # Round robin: start after the one who got the last lead.
            after = [r for r in reps if r.pk > rule.last_assigned_id]
            reps = after + [r for r in reps if r.pk <= rule.last_assigned_id]
        for rep in reps:
            if rule.capacity is None:
                return rep, ""
            held = self._held[rep.pk] + self._given.get(rep.pk, 0)
            if held >= rule.capacity:
                continue
            return rep, _("%(held)d of at most %(cap)d open leads") % {
                "held": held,
                "cap": rule.capacity,
            }
        return None, _("every rep at capacity")

    def find(self, lead: Lead) -> Assignment | None:
        """The first rule that matches ``lead`` and has a rep for it (None: none); the
        rule's turn and the rep's open leads move on as if the lead were saved."""
        for rule in self.rules:
            why = _rule_why(lead, rule)
            if why is None:
                continue
            rep, load = self._pick(rule)
            if rep is None:
                continue
            note = _("Rule “%(rule)s” (%(why)s) → %(rep)s") % {
                "rule": rule.name,
                "why": why,
                "rep": rep.get_full_name() or rep.username,
            }
            if load:
                note += f"; {load}"
            self._given[rep.pk] = self._given.get(rep.pk, 0) + 1
            if rule.owner_id is None:
                rule.last_assigned_id = self._moved[rule.pk] = rep.pk
            return Assignment(owner=rep, team=rule.team, rule=rule, note=note[:300])
        return None

    def apply(self, lead: Lead) -> Assignment | None:
        """Give an unowned lead to the rep the rules choose (not saved: the caller
        saves)."""
        if lead.owner_id is not None:
            return None
        found = self.find(lead)
        if found is not None:
            lead.owner, lead.team, lead.assignment_note = found.owner, found.team, found.note
        return found

    def save(self) -> None:
        """Store the round robin turns that moved."""
        for rule_id, rep_id in self._moved.items():
            AssignmentRule.objects.filter(pk=rule_id).update(last_assigned=rep_id)
        self._moved = {}


def assignment_find(lead: Lead) -> Assignment | None:
    """The first active rule that matches ``lead`` and has a rep for it (None: none)."""
    return AssignmentPlan().find(lead)


def assignment_apply(lead: Lead) -> Assignment | None:
    """Give an unowned lead to the rep the rules choose (not saved: the caller saves).
    The round robin's turn advances."""
    if lead.owner_id is not None:
        return None
    plan = AssignmentPlan()
    found = plan.apply(lead)
    plan.save()
    return found
