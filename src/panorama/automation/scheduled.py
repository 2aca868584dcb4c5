"""The daily scheduled rules: at its time of day, a rule is checked once over every
customer, in chunks that load what its conditions read for the whole chunk at once; each
match is acted on once a day (its run's key names the day and the customer)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .conditions import Subject, compile_conditions, field_heads, subjects_preload
from .engine import _run_actions
from .models import Rule, RuleRun


def scheduled_due(now: datetime.datetime | None = None) -> list[Rule]:
    now = timezone.localtime(now or timezone.now())
    return [
        rule
        for rule in Rule.objects.filter(active=True, trigger=Rule.Trigger.SCHEDULE)
        if rule.schedule_time is not None
        and rule.schedule_time <= now.time()
        and rule.last_scheduled_on != now.date()
    ]


SCHEDULE_CHUNK = 2000  # customers checked together by a scheduled rule


def scheduled_run(rule: Rule, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Evaluate a daily rule over every customer once today: (checked, matched)."""
    from panorama.customers.models import Customer

    day = timezone.localtime(now or timezone.now()).date()
    limit = getattr(settings, "PANORAMA_RULE_SCHEDULE_LIMIT", 200_000)
    checked = matched = 0
    customers = Customer.objects.filter(merged_into__isnull=True).order_by("pk")[:limit]
    check = compile_conditions(rule.conditions)
    heads = field_heads(rule.conditions)
    chunk: list = []

    def run_chunk() -> int:
        """Check a chunk of customers with what the conditions read loaded for all of them
        at once; act on the matches not already done today (one query for those)."""
        subjects = [Subject(event="", payload={}, customer_given=c) for c in chunk]
        subjects_preload(subjects, heads)
        hits = []
        for subject in subjects:
            ok, lines = check(subject)
            if ok:
                hits.append((subject, lines, f"schedule:{day.isoformat()}:{subject.customer.pk}"))
        done_today = set(
            RuleRun.objects.filter(rule=rule, key__in=[key for _s, _l, key in hits]).values_list(
                "key", flat=True
            )
        )
        acted = 0
        for subject, lines, key in hits:
            if key in done_today:
                continue
            acted += 1
            done, error = _run_actions(rule, subject, key, 0)
            RuleRun.objects.create(
                rule=rule,
                key=key,
                customer=subject.customer,
                matched=True,
                explanation=lines,
                actions_done=done,
                error=error,
            )
        chunk.clear()
        return acted

    for customer in customers.iterator(chunk_size=SCHEDULE_CHUNK):
        checked += 1
        chunk.append(customer)
        if len(chunk) >= SCHEDULE_CHUNK:
            matched += run_chunk()
    if chunk:
        matched += run_chunk()
    RuleRun.objects.update_or_create(
        rule=rule,
        key=f"schedule:{day.isoformat()}",
        defaults={
            "matched": matched > 0,
            "explanation": [
                _("%(checked)s customers checked, %(matched)s matched.")
                % {"checked": checked, "matched": matched}
            ],
        },
    )
    Rule.objects.filter(pk=rule.pk).update(last_scheduled_on=day)
    return checked, matched
