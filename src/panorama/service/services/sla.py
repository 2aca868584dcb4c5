"""Service levels: calendars and policies (validated here, whatever writes them), the
policy a case gets, its due times in business hours, and the clock's pause while the
case waits on the customer."""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed

from ..models import BusinessCalendar, Case, ServiceContract, SlaPolicy
from .business_hours import (
    WEEKDAYS,
    Hours,
    Timeline,
    add_business_minutes,
    business_minutes_between,
)
from .sla_segments import Holding, first_segment_policy, segment_policies

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


@lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    """The public holidays of a country (and region), every year asked for (lazily)."""
    return holidays.country_holidays(country, subdiv=subdivision or None)


def clean_hours(raw) -> dict[str, list[list[str]]]:
    """``{"mon": [["09:00", "18:00"]], ...}`` checked: known days, HH:MM, each span
    ending after it starts, the spans of a day in order and apart."""
    if not isinstance(raw, dict):
        raise ValidationFailed(_("The weekly hours must map days to spans."), field="hours")
    cleaned: dict[str, list[list[str]]] = {}
    for day, spans in raw.items():
        if day not in WEEKDAYS:
            raise ValidationFailed(
                _("Unknown day %(day)s: use mon, tue, wed, thu, fri, sat or sun.") % {"day": day},
                field="hours",
            )
        previous_end = ""
        for span in spans or []:
            if (
                not isinstance(span, list | tuple)
                or len(span) != 2
                or not all(isinstance(t, str) and HHMM.match(t) for t in span)
            ):
                raise ValidationFailed(
                    _("The hours of %(day)s must be pairs of times like 09:00–18:00.")
                    % {"day": day},
                    field="hours",
                )
            start, end = span
            if end <= start or start < previous_end:
                raise ValidationFailed(
                    _("The hours of %(day)s overlap or end before they start (%(start)s–%(end)s).")
                    % {"day": day, "start": start, "end": end},
                    field="hours",
                )
            previous_end = end
            cleaned.setdefault(day, []).append([start, "23:59" if end == "24:00" else end])
    if not cleaned:
        raise ValidationFailed(_("A calendar needs business hours on some day."), field="hours")
    return cleaned


@transaction.atomic
def calendar_save(
    *,
    by: User | None,
    name: str,
    time_zone: str = "Europe/Madrid",
    country: str = "ES",
    subdivision: str = "",
    hours: dict | None = None,
    extra_holidays: Sequence[tuple[date | str, str]] | None = None,
    calendar: BusinessCalendar | None = None,
) -> BusinessCalendar:
    """Create (or replace the settings of) a business calendar; ``extra_holidays``, when
    given, replaces its company holidays (None keeps them)."""
    ensure_can(by, "service.configure")
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.time_zone = (name or "").strip(), time_zone
    calendar.country, calendar.subdivision = (country or "").upper(), subdivision
    calendar.hours = hours if hours is not None else calendar.hours
    calendar_check(calendar)
    days = clean_holidays(extra_holidays) if extra_holidays is not None else None
    calendar.save()
    if days is not None:
        calendar.extra_holidays.all().delete()
        for day, label in days:
            calendar.extra_holidays.create(date=day, name=label)
    emit("sla.calendar_saved", calendar_id=calendar.pk, by=by.pk if by else None)
    return calendar


def clean_holidays(raw) -> list[tuple[date, str]]:
    """The company's own holidays as ``(date, name)``: each a real date (a ``date`` or
    ``YYYY-MM-DD``; 30 February is refused, naming it), none twice, a name of at most
    100 characters. Checked before anything is written."""
    cleaned: list[tuple[date, str]] = []
    seen: set[date] = set()
    for entry in raw or ():
        try:
            value, label = entry
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("Each company holiday is a date and a name."), field="extra_holidays"
            ) from None
        day = value if isinstance(value, date) and not isinstance(value, datetime) else None
        if day is None:
            try:
                day = date.fromisoformat(str(value).strip())
            except ValueError:
                raise ValidationFailed(
                    _("%(value)s is not a valid date for a holiday (use YYYY-MM-DD, a real day).")
                    % {"value": value},
                    field="extra_holidays",
                ) from None
        if day in seen:
            raise ValidationFailed(
                _("The holiday %(day)s is listed twice.") % {"day": day.isoformat()},
                field="extra_holidays",
            )
        label = (label or "").strip() or str(_("Company holiday"))
        if len(label) > 100:
            raise ValidationFailed(
                _("The name of the holiday %(day)s is longer than 100 characters.")
                % {"day": day.isoformat()},
                field="extra_holidays",
            )
        seen.add(day)
        cleaned.append((day, label))
    return cleaned


def calendar_check(calendar: BusinessCalendar) -> None:
    """The rules of a calendar (ValidationFailed naming the field); normalises its hours."""
    name, time_zone = calendar.name, calendar.time_zone
    country, subdivision = calendar.country, calendar.subdivision
    if not name:
        raise ValidationFailed(_("A calendar needs a name."), field="name")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            _("Unknown time zone %(tz)s (e.g. Europe/Madrid).") % {"tz": time_zone},
            field="time_zone",
        ) from None
    try:
        known = holidays.country_holidays(country).subdivisions
    except NotImplementedError:
        raise ValidationFailed(
            _("No public holidays are known for country %(c)s.") % {"c": country}, field="country"
        ) from None
    if subdivision and subdivision not in known:
        raise ValidationFailed(
            _("Unknown region %(r)s of %(c)s (known: %(known)s).")
            % {"r": subdivision, "c": country, "known": ", ".join(known)},
            field="subdivision",
        )
    calendar.hours = clean_hours(calendar.hours)
    if BusinessCalendar.objects.filter(name=name).exclude(pk=calendar.pk).exists():
        raise ValidationFailed(_("A calendar named %(n)s exists.") % {"n": name}, field="name")


def hours_of(calendar: BusinessCalendar) -> Hours:
    """The calendar as the pure ``Hours`` schedule (one query for the company holidays)."""
    extra = set(calendar.extra_holidays.values_list("date", flat=True))
    public = public_holidays(calendar.country, calendar.subdivision)
    return Hours(
        time_zone=calendar.time_zone,
        weekly={day: [tuple(s) for s in spans] for day, spans in calendar.hours.items()},
        is_holiday=lambda d: d in extra or d in public,
    )


def _overlaps(a: dict, b: dict) -> bool:
    """Whether two criteria sets can match the same case with neither more specific."""
    compatible = all(a[k] == b[k] for k in a.keys() & b.keys())
    if not compatible:
        return False
    return not (a.keys() > b.keys() or b.keys() > a.keys())


def policy_check(policy: SlaPolicy) -> None:
    """The rules of a policy (ValidationFailed naming the field), whatever writes it."""
    if not (policy.name or "").strip():
        raise ValidationFailed(_("A policy needs a name."), field="name")
    if policy.priority and policy.priority not in Case.Priority.values:
        raise ValidationFailed(
            _("Unknown priority %(value)s.") % {"value": policy.priority}, field="priority"
        )
    if policy.segment and policy.segment not in ("person", "organisation"):
        raise ValidationFailed(
            _("Unknown customer segment %(value)s.") % {"value": policy.segment}, field="segment"
        )
    for name in ("first_response_minutes", "resolution_minutes"):
        if not getattr(policy, name) or getattr(policy, name) <= 0:
            raise ValidationFailed(_("A target must be a positive number of minutes."), field=name)
    if policy.first_response_minutes > policy.resolution_minutes:
        raise ValidationFailed(
            _("The first response cannot be due after the resolution."),
            field="first_response_minutes",
        )
    if policy.active and policy.marketing_segment_id is None:  # a segment's: rank decides
        mine = policy.criteria()
        others = SlaPolicy.objects.filter(active=True, marketing_segment__isnull=True)
        for other in others.exclude(pk=policy.pk):
            if _overlaps(mine, other.criteria()):
                raise ValidationFailed(
                    _(
                        "This policy overlaps %(other)s: a case could match both and neither "
                        "is more specific. Narrow one of them (queue, priority or segment)."
                    )
                    % {"other": other.name},
                    field="priority",
                )


@transaction.atomic
def policy_save(*, by: User | None, policy: SlaPolicy) -> SlaPolicy:
    """Create or update an SLA policy; one that would tie with another active policy on
    some case (same criteria, or crossing ones) is refused, naming the other."""
    ensure_can(by, "service.configure")
    policy_check(policy)
    policy.save()
    emit("sla.policy_saved", policy_id=policy.pk, by=by.pk if by else None)
    return policy


def contract_policy_for(case: Case, on: date | None = None) -> ServiceContract | None:
    """The service contract whose SLA policy the case gets: an active contract (or
    warranty) of the case's customer, in force on ``on`` (today; a cancelled one until its
    cancellation date), with an active policy,
    covering the case's asset (listed) or its product (the asset's product or the case's).
    A contract before a warranty, then the one ending last, as for coverage. One query
    (none when the case names neither an asset nor a product)."""
    product_ids = {pk for pk in (case.product_id, case.asset.product_id if case.asset else None)}
    product_ids.discard(None)
    if not case.customer_id or not (case.asset_id or product_ids):
        return None
    on = on or timezone.localdate()
    covers = Q(products__in=product_ids) if product_ids else Q()
    if case.asset_id:
        covers |= Q(assets=case.asset_id)
    candidates = (
        ServiceContract.objects.filter(
            covers,
            ServiceContract.in_force_q(on),
            customer_id=case.customer_id,
            sla_policy__active=True,
        )
        .select_related("sla_policy__calendar")
        .distinct()
    )
    ranked = sorted(candidates, key=_contract_rank)
    return ranked[0] if ranked else None


def _contract_rank(contract: ServiceContract) -> tuple:
    """A contract before a warranty, then the one ending last."""
    return (
        contract.kind != ServiceContract.Kind.CONTRACT,
        -contract.ends_on.toordinal(),
        contract.pk,
    )


def contract_policies_for(cases: Sequence[Case]) -> dict[int, ServiceContract]:
    """``contract_policy_for`` of many cases at once, each on its opening day: the
    contract whose policy each covered case gets, by case id. Three queries whatever the
    number of cases (none when none names an asset or a product); the cases come with
    their ``asset`` loaded."""
    wanted = [c for c in cases if c.customer_id and (c.asset_id or c.product_id)]
    if not wanted:
        return {}
    contracts = list(
        ServiceContract.objects.filter(
            Q(status=ServiceContract.Status.ACTIVE) | Q(cancelled_on__isnull=False),
            customer_id__in={c.customer_id for c in wanted},
            sla_policy__active=True,
        ).select_related("sla_policy__calendar")
    )
    if not contracts:
        return {}
    ids = [c.pk for c in contracts]
    products: dict[int, set[int]] = {pk: set() for pk in ids}
    assets: dict[int, set[int]] = {pk: set() for pk in ids}
    listed = ServiceContract.products.through.objects.filter(servicecontract_id__in=ids)
    for contract_id, product_id in listed.values_list("servicecontract_id", "product_id"):
        products[contract_id].add(product_id)
    covered = ServiceContract.assets.through.objects.filter(servicecontract_id__in=ids)
    for contract_id, asset_id in covered.values_list("servicecontract_id", "asset_id"):
        assets[contract_id].add(asset_id)
    found = {}
    for case in wanted:
        on = timezone.localdate(case.created_at)
        product_ids = {case.product_id, case.asset.product_id if case.asset else None} - {None}
        covering = [
            c
            for c in contracts
            if c.customer_id == case.customer_id
            and c.in_force_on(on)
            and (case.asset_id in assets[c.pk] or product_ids & products[c.pk])
        ]
        if covering:
            found[case.pk] = min(covering, key=_contract_rank)
    return found


def policy_for(case: Case, on: date | None = None) -> SlaPolicy | None:
    """The policy a case gets. Precedence: the policy of the service contract covering
    its asset or product (``contract_policy_for``) wins; otherwise the most specific
    active policy matching its queue, priority and customer segment (one query)."""
    contract = contract_policy_for(case, on)
    if contract is not None:
        return contract.sla_policy
    return matching_policy(case, SlaPolicy.objects.filter(active=True).select_related("calendar"))


def matching_policy(
    case: Case,
    policies: Iterable[SlaPolicy],
    holding: Holding | None = None,
    kind: str | None = None,
) -> SlaPolicy | None:
    """Of the active ``policies`` matching the case's queue, priority and customer kind:
    the first naming a marketing segment that holds its customer (``sla_segments``;
    ``holding``: a batch's answers, else a query per segment asked), otherwise the most
    specific of those naming none (no query beyond the case's customer; none when
    ``kind``, the customer's kind, is given)."""
    if kind is None:
        kind = case.customer.kind if case.customer_id else ""
    actual = {"queue_id": case.queue_id, "priority": case.priority, "segment": kind}
    fits = [p for p in policies if all(actual[k] == v for k, v in p.criteria().items())]
    chosen = first_segment_policy(case, segment_policies(fits), holding)
    if chosen is not None:
        return chosen
    best, best_size = None, -1
    for policy in fits:
        wanted = policy.criteria()
        if policy.marketing_segment_id is None and len(wanted) > best_size:
            best, best_size = policy, len(wanted)
    return best


def sla_contract(case: Case) -> ServiceContract | None:
    """The contract the case's policy came from, for the case page (None when the policy
    was matched by queue, priority or segment). One query."""
    if case.sla_policy_id is None:
        return None
    contract = contract_policy_for(case, timezone.localdate(case.created_at))
    return contract if contract and contract.sla_policy_id == case.sla_policy_id else None


def sla_start(case: Case, now: datetime | None = None) -> None:
    """Give a new case its policy and due times (not saved: the caller saves)."""
    now = now or timezone.now()
    policy = policy_for(case, timezone.localdate(now))
    case.sla_policy = policy
    if policy is None:
        return
    hours = hours_of(policy.calendar)
    case.first_response_due = add_business_minutes(hours, now, policy.first_response_minutes)
    case.resolution_due = add_business_minutes(hours, now, policy.resolution_minutes)


def sla_retarget(case: Case, *, new_policy_only: bool = False) -> bool:
    """Recompute an open case's targets after its priority changed (docs/architecture.md,
    "Service levels"): the policy a case with its details would get, its targets counted
    in that policy's business hours from the case's opening, plus the business minutes
    it already spent waiting on the customer. A met first response keeps its due time;
    the warning mark is cleared when a target moves later (the sweep warns again before
    the new one); breaches already escalated stay escalated. A priority no policy
    matches leaves the targets as they were. ``new_policy_only`` (a change of queue,
    product or asset): only when the policy the case gets is another one. Not saved:
    the caller saves the fields ``RETARGET_FIELDS``. Returns whether anything changed."""
    if not case.is_open:
        return False
    policy = policy_for(case, timezone.localdate(case.created_at))
    if policy is None or (new_policy_only and policy.pk == case.sla_policy_id):
        return False
    return retarget_to(case, policy, hours_of(policy.calendar))


def retarget_to(case: Case, policy: SlaPolicy, hours: Hours | Timeline) -> bool:
    """The rule of ``sla_retarget`` once the policy is known (``hours``: its calendar's,
    or the sweep's ``Timeline`` of it, the same answers faster); no query, so the sweep
    applies it to many cases at once."""
    paused = case.sla_paused_minutes

    def due(minutes: int) -> datetime:
        return hours.add(case.created_at, minutes + paused)

    before = (case.sla_policy_id, case.first_response_due, case.resolution_due)
    later = False
    case.sla_policy = policy
    if case.first_response_at is None:
        new_first = due(policy.first_response_minutes)
        later |= case.first_response_due is not None and new_first > case.first_response_due
        case.first_response_due = new_first
    new_resolution = due(policy.resolution_minutes)
    later |= case.resolution_due is not None and new_resolution > case.resolution_due
    case.resolution_due = new_resolution
    if later:
        case.sla_warned_at = None
    return before != (case.sla_policy_id, case.first_response_due, case.resolution_due)


RETARGET_FIELDS = ["sla_policy", "first_response_due", "resolution_due", "sla_warned_at"]


def sla_pause(case: Case, now: datetime) -> None:
    if case.sla_policy_id and case.sla_paused_at is None:
        case.sla_paused_at = now


def sla_resume(case: Case, now: datetime) -> int:
    """End the pause: the business minutes it lasted are added to the paused total and
    to every due time not yet met. Returns those minutes."""
    if case.sla_paused_at is None or case.sla_policy is None:
        case.sla_paused_at = None
        return 0
    hours = hours_of(case.sla_policy.calendar)
    paused = max(0, business_minutes_between(hours, case.sla_paused_at, now))
    case.sla_paused_at = None
    case.sla_paused_minutes += paused
    if paused:
        if case.first_response_at is None and case.first_response_due:
            case.first_response_due = add_business_minutes(hours, case.first_response_due, paused)
        if case.resolution_due:
            case.resolution_due = add_business_minutes(hours, case.resolution_due, paused)
    return paused
