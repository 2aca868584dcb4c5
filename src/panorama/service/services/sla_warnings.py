"""The SLA sweep's warnings told to people (``escalation._warn`` marks the cases): an
alert in "My alerts" for each warned case's agent, or the policy's manager when nobody
owns it, in his language."""

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User

from ..models import SlaPolicy


class Warned(NamedTuple):
    """A case the sweep warned, with what its alert says."""

    case_id: int
    customer_id: int
    owner_id: int | None
    reference: str | None
    target: str
    due: datetime | None


def alert_warned(warned: list[tuple[SlaPolicy, list[Warned]]], now: datetime) -> None:
    """Tell whoever must act on each warned case, in his "My alerts" (the automation
    app's alerts): its agent, or the policy's manager (the user with the address the
    breach e-mail goes to) for a case nobody owns. Each in his own language. A few
    queries per sweep, whatever the number of cases and policies (one more per manager
    address with an unowned case to tell)."""
    if not warned:
        return
    from panorama.automation.models import Alert
    from panorama.automation.services.alerts import NewAlert, alerts_raise_for_users

    managers: dict[str, int | None] = {}  # address → the manager's user id
    wanted: set[int] = set()
    for policy, cases in warned:
        address = policy.manager_email
        if address and address not in managers and any(w.owner_id is None for w in cases):
            managers[address] = (
                User.objects.filter(email__iexact=address, is_active=True)
                .order_by("id")
                .values_list("pk", flat=True)
                .first()
            )
        wanted |= {w.owner_id for w in cases if w.owner_id}
    wanted |= {pk for pk in managers.values() if pk}
    languages = dict(
        User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", "language")
    )
    # Grouped by language: its words translated once, not per case (a sweep after an
    # outage warns thousands; switching the language per case cost most of the warning).
    by_language: dict[str, list[tuple[int, SlaPolicy, Warned]]] = {}
    default = settings.LANGUAGE_CODE
    for policy, cases in warned:
        manager = managers.get(policy.manager_email)
        for w in cases:
            user_id = w.owner_id or manager
            if user_id not in languages:  # nobody to tell (no manager user, inactive agent)
                continue
            language = languages[user_id] or default
            by_language.setdefault(language, []).append((user_id, policy, w))
    alerts = []
    zone = timezone.get_current_timezone()
    stamp = now.isoformat()
    high = int(Alert.Priority.HIGH)
    # Each due time shown once per instant, not per case: thousands of warned cases fall
    # due at a few hundred business-hours minutes.
    shown: dict[datetime | None, str] = {None: ""}
    for language, group in by_language.items():
        with translation.override(language):
            title = _("Case %(ref)s is about to breach its SLA")
            body = _("Its %(target)s is due at %(due)s (policy %(policy)s).")
            targets = {"first_response": _("first response"), "resolution": _("resolution")}
        for user_id, policy, w in group:
            due = shown.get(w.due)
            if due is None and w.due is not None:
                due = shown[w.due] = w.due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            alerts.append(
                NewAlert(
                    customer_id=w.customer_id,
                    user_id=user_id,
                    title=title % {"ref": w.reference or w.case_id},
                    body=body % {"target": targets[w.target], "due": due, "policy": policy.name},
                    priority=high,
                    source=f"sla_warned:{w.case_id}:{stamp}"[:120],
                )
            )
    alerts_raise_for_users(alerts)
