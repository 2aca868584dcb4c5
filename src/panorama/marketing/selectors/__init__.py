"""Reads of marketing: segments evaluated in one query, scoped to what the reader sees;
lists and their history; campaigns and their results."""

from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.models import Customer
from panorama.customers.selectors import customers_visible_to

from .. import rules as segment_rules
from ..models import Campaign, ListMembership, MessageTemplate, Recipient, Segment, StaticList
from .results import GroupResult, Results, campaign_results  # noqa: F401 (the package's API)
from .targeting import (  # noqa: F401 (the package's API)
    customer_segments,
    offer_restrictions,
    segment_alert_get,
    segment_alerts,
    segment_members,
    segment_scope,
    segment_visible_get,
    segments_visible_to,
)


def segment_fields() -> dict[str, segment_rules.Field]:
    """The fields segment rules may name (one query: the custom field definitions), to
    pass as ``catalogue`` when many segments are evaluated in a row."""
    return segment_rules.fields()


def segment_customers(
    *,
    user: User | None,
    rules: Any,
    validated: bool = False,
    catalogue: dict[str, segment_rules.Field] | None = None,
) -> QuerySet:
    """The customers matching ``rules`` that ``user`` may see: one query, never a loop."""
    catalogue = segment_rules.fields() if catalogue is None else catalogue
    rule = rules if validated else segment_rules.validate(rules, catalogue=catalogue)
    return customers_visible_to(user).filter(segment_rules.compile_rule(rule, catalogue=catalogue))


# Boolean columns per query: far under PostgreSQL's 1664 output columns and SQLite's
# 2000, and a statement of a reasonable size whatever the segments' rules.
CONTAINING_CHUNK = 100


def segments_containing(
    *, customer_id: int, segments: list[Segment], chunk: int = CONTAINING_CHUNK
) -> set[int]:
    """The ids of ``segments`` whose rules ``customer_id`` matches now: one query for one
    customer per ``chunk`` segments (a boolean column each), whatever the segments'
    sizes, plus the custom field catalogue. A segment whose rules no longer validate (a
    custom field deleted since) contains nobody. No staff scope: the system asks (a
    loyalty bonus at earning time, for instance)."""
    if not segments:
        return set()
    catalogue = segment_rules.fields()
    annotations = {}
    for segment in segments:
        try:
            rule = segment_rules.validate(segment.rules, catalogue=catalogue)
        except ValidationFailed:
            continue
        annotations[f"s{segment.pk}"] = ExpressionWrapper(
            segment_rules.compile_rule(rule, catalogue=catalogue), output_field=BooleanField()
        )
    names = list(annotations)
    inside: set[int] = set()
    for start in range(0, len(names), chunk):
        part = {name: annotations[name] for name in names[start : start + chunk]}
        flags = (
            Customer.objects.filter(pk=customer_id).annotate(**part).values(*part)
        ).first() or {}
        inside.update(int(name[1:]) for name, flag in flags.items() if flag)
    return inside


def segment_count(*, user: User | None, rules: Any) -> int:
    return segment_customers(user=user, rules=rules).count()


def segments_all() -> QuerySet[Segment]:
    """Segment definitions are shared by the whole staff; what each counts is scoped."""
    return Segment.objects.select_related("owner")


def segment_get(*, segment_id: int, user: User | None = None) -> Segment:
    """The segment (``user`` given: only if he may see it, see ``segment_scope``)."""
    qs = segments_all() if user is None else segments_all().filter(segment_scope(user))
    segment = qs.filter(pk=segment_id).first() if 0 < segment_id < 2**63 else None
    if segment is None:
        raise NotFound(_("There is no segment %(id)s.") % {"id": segment_id})
    return segment


def lists_all() -> QuerySet[StaticList]:
    return StaticList.objects.select_related("segment").annotate(
        size=Count("members", filter=Q(members__left_at__isnull=True))
    )


def list_get(*, list_id: int) -> StaticList:
    found = lists_all().filter(pk=list_id).first()
    if found is None:
        raise NotFound(_("There is no list %(id)s.") % {"id": list_id})
    return found


def list_history(*, user: User, static_list: StaticList, limit: int = 200) -> list[ListMembership]:
    """The newest joins and leaves of the customers ``user`` sees, one query."""
    visible = customers_visible_to(user).filter(pk=OuterRef("customer_id"))
    return list(
        ListMembership.objects.filter(static_list=static_list)
        .filter(Exists(visible))
        .select_related("customer")
        .order_by("-joined_at", "-id")[:limit]
    )


def list_customers(*, user: User | None, static_list: StaticList) -> QuerySet[Customer]:
    return customers_visible_to(user).filter(
        Exists(
            ListMembership.objects.filter(
                static_list=static_list, customer_id=OuterRef("pk"), left_at__isnull=True
            )
        )
    )


def templates_all() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.all()


def template_get(*, template_id: int) -> MessageTemplate:
    found = MessageTemplate.objects.filter(pk=template_id).first()
    if found is None:
        raise NotFound(_("There is no message template %(id)s.") % {"id": template_id})
    return found


def campaigns_all() -> QuerySet[Campaign]:
    return Campaign.objects.select_related(
        "segment", "static_list", "template", "owner", "sms_account", "script"
    )


def call_lists_open() -> QuerySet[Campaign]:
    """The call-list campaigns the call centre works now."""
    return campaigns_all().filter(
        channel=Campaign.Channel.CALL_LIST, status=Campaign.Status.SENDING
    )


def call_progress(*, campaign: Campaign) -> dict[str, int]:
    """A call list's progress in one aggregate query: customers still to call (nobody
    holds them), held by an agent now, waiting for a call back, called (each final
    outcome), skipped (no consent or phone)."""
    T = Recipient.Status
    pending = Q(status=T.PENDING)
    figures = Recipient.objects.filter(campaign=campaign, group=Recipient.Group.TARGET).aggregate(
        total=Count("pk"),
        to_call=Count("pk", filter=pending & Q(agent__isnull=True)),
        in_hand=Count("pk", filter=pending & Q(agent__isnull=False, callback_at__isnull=True)),
        call_back=Count("pk", filter=pending & Q(callback_at__isnull=False)),
        called=Count("pk", filter=Q(status=T.CALLED)),
        skipped=Count("pk", filter=Q(status=T.SKIPPED)),
        reached=Count("pk", filter=Q(status=T.CALLED, call_outcome="reached")),
        interested=Count("pk", filter=Q(status=T.CALLED, call_outcome="interested")),
        not_interested=Count("pk", filter=Q(status=T.CALLED, call_outcome="not_interested")),
        no_answer=Count("pk", filter=Q(status=T.CALLED, call_outcome="no_answer")),
    )
    done = figures["called"] + figures["skipped"]
    figures["percent"] = round(100 * done / figures["total"]) if figures["total"] else 0
    return figures


def campaign_get(*, campaign_id: int) -> Campaign:
    found = campaigns_all().filter(pk=campaign_id).first()
    if found is None:
        raise NotFound(_("There is no campaign %(id)s.") % {"id": campaign_id})
    return found


def variant_get(*, campaign_id: int, variant_id: int):
    from ..models import CampaignVariant

    variant = CampaignVariant.objects.filter(pk=variant_id, campaign_id=campaign_id).first()
    if variant is None:
        raise NotFound(_("There is no such variant in this campaign."))
    return variant


def ledger(
    *, user: User, campaign: Campaign, status: str = "", limit: int = 100
) -> list[Recipient]:
    """The campaign's ledger rows for the customers ``user`` sees, newest first."""
    qs = Recipient.objects.filter(campaign=campaign).filter(
        Exists(customers_visible_to(user).filter(pk=OuterRef("customer_id")))
    )
    if status:
        qs = qs.filter(status=status)
    return list(qs.select_related("customer").order_by("-id")[:limit])


# --- results -----------------------------------------------------------------------------


def journeys_all() -> QuerySet:
    from ..models import Journey

    return Journey.objects.select_related("trigger_list", "trigger_form").annotate(
        in_progress=Count("enrolments", filter=Q(enrolments__status="active"))
    )


def journey_get(*, journey_id: int):
    found = journeys_all().filter(pk=journey_id).first() if 0 < journey_id < 2**63 else None
    if found is None:
        raise NotFound(_("There is no journey %(id)s.") % {"id": journey_id})
    return found


def journey_report(*, journey) -> dict[str, Any]:
    """How many customers wait at each step, finished and left: one aggregate query
    (the steps in a second). The steps in reading order: a branch, then its yes path,
    then its no path (``level``: how many branches deep)."""
    from ..models import Enrolment
    from ..services.journeys import step_describe

    counts: dict[tuple[str, int | None], int] = {}
    for status, step_id, n in (
        Enrolment.objects.filter(journey=journey)
        .values_list("status", "step_id")
        .annotate(n=Count("pk"))
        .values_list("status", "step_id", "n")
    ):
        counts[(status, step_id)] = counts.get((status, step_id), 0) + n
    from ..services.journeys.tree import line_of, walk

    steps = list(journey.steps.order_by("position", "id"))
    rows = []
    for step, level, path in walk(steps):
        road = line_of(steps, step)
        rows.append(
            {
                "step": step,
                "label": step_describe(step),
                "waiting": counts.get(("active", step.pk), 0),
                "level": level,
                "path": path,
                "first": road[0].pk == step.pk,
                "last": road[-1].pk == step.pk,
            }
        )
    return {
        "steps": rows,
        "active": sum(n for (s, _step), n in counts.items() if s == "active"),
        "done": sum(n for (s, _step), n in counts.items() if s == "done"),
        "exited": sum(n for (s, _step), n in counts.items() if s == "exited"),
    }


BY_NEWEST = Keyset("-id", types=(int,))


def enrolment_page(*, user: User | None, journey, cursor: str = "", limit: int = 50) -> Page:
    """The customers through the journey that ``user`` may see, the latest first, a page
    at a time; each with ``step_label``, the next step named (queries: one for the page,
    the steps' own, never one per customer)."""
    from ..models import Enrolment
    from ..services.journeys import step_describe

    qs = Enrolment.objects.filter(
        journey=journey, customer__in=customers_visible_to(user).values("pk")
    ).select_related("customer", "step")
    page = BY_NEWEST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))
    steps = {e.step for e in page.items if e.step is not None}
    labels = {step.pk: step_describe(step) for step in steps}
    for enrolment in page.items:
        enrolment.step_label = labels.get(enrolment.step_id, "")
    return page


def signup_forms_all() -> QuerySet:
    from ..models import SignupForm

    return SignupForm.objects.select_related("static_list").annotate(
        asked=Count("optins"),
        confirmed=Count("optins", filter=Q(optins__confirmed_at__isnull=False)),
    )
