"""A service contract's life after it was signed: renewed (a new period from its end,
same terms), extended (a later end) or cancelled (from a day, with a reason). A renewal
or an extension covers the open cases opened since the old end: their SLA is counted
again by the contract's policy, a note on each (``_recount_covered``). Each is
allowed to whoever may create contracts (``service.edit``), refused on a cancelled
contract (409), emits its event and lands on the customer's timeline."""

import calendar
import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed

from ..models import Case, ServiceContract, SlaPolicy
from ..selectors.field import contract_get
from .sla_recount import cases_recount

REASON_MAX: int = ServiceContract._meta.get_field("cancellation_reason").max_length or 300


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _locked(*, by: User | None, contract_id: int) -> ServiceContract:
    """The contract as ``by`` sees it (404 otherwise), locked, and not cancelled (409)."""
    contract_get(user=by, contract_id=contract_id)
    contract = (
        ServiceContract.objects.select_for_update().select_related("customer").get(pk=contract_id)
    )
    if contract.status == ServiceContract.Status.CANCELLED:
        raise Conflict(
            _("Contract %(ref)s is cancelled: it cannot be changed.") % {"ref": contract.reference}
        )
    return contract


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def renewal_period(contract: ServiceContract) -> tuple[datetime.date, datetime.date]:
    """The next period of a contract: from the day after its end, as long as it. A
    period of whole months (1 January – 31 December) gives whole months again (a leap
    year changes nothing); any other, the same number of days."""
    start = contract.ends_on + datetime.timedelta(days=1)
    if contract.starts_on.day == start.day:
        months = (
            (start.year - contract.starts_on.year) * 12 + start.month - contract.starts_on.month
        )
        return start, _add_months(start, months) - datetime.timedelta(days=1)
    return start, start + (contract.ends_on - contract.starts_on)


def _timeline(contract: ServiceContract, *, by: User | None, subject: str, body: str = "") -> None:
    interaction_record(
        customer_id=contract.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=subject[:200],
        body=body,
        related=contract,
        metadata={"kind": "contract", "contract_id": contract.pk},
    )


@transaction.atomic
def contract_renew(
    *, by: User | None, contract_id: int, ends_on: datetime.date | None = None
) -> ServiceContract:
    """A new contract for the next period (``renewal_period``, or up to ``ends_on``) with
    the same terms: what it covers, entitlements (unused), SLA policy, owner, notice. A
    contract is renewed once; the old one is no longer offered for renewal."""
    ensure_can(by, "service.edit")
    old = _locked(by=by, contract_id=contract_id)
    if ServiceContract.objects.filter(renewed_from=old).exists():
        raise Conflict(_("Contract %(ref)s was already renewed.") % {"ref": old.reference})
    starts_on, default_end = renewal_period(old)
    ends_on = ends_on or default_end
    if ends_on < starts_on:
        raise ValidationFailed(
            _("The renewal starts on %(date)s: it cannot end before.") % {"date": _day(starts_on)},
            field="ends_on",
        )
    new = ServiceContract.objects.create(
        name=old.name,
        kind=old.kind,
        customer=old.customer,
        owner=old.owner,
        starts_on=starts_on,
        ends_on=ends_on,
        sla_policy=old.sla_policy,
        visits_included=old.visits_included,
        hours_included=old.hours_included,
        renewal_notice_days=old.renewal_notice_days,
        renewed_from=old,
    )
    new.reference = f"SC-{new.pk:06d}"
    new.save(update_fields=["reference"])
    new.assets.set(old.assets.all())
    new.products.set(old.products.all())
    recounted = _recount_covered(
        new,
        since=starts_on,
        reason=_("contract %(old)s renewed as %(new)s")
        % {"old": old.reference, "new": new.reference},
    )
    _timeline(
        new,
        by=by,
        subject=_("Contract %(old)s renewed as %(new)s")
        % {"old": old.reference, "new": new.reference},
        body=_("%(name)s: from %(start)s to %(end)s.")
        % {"name": new.name, "start": _day(starts_on), "end": _day(ends_on)},
    )
    emit(
        "contract.renewed",
        contract_id=new.pk,
        renewed_from=old.pk,
        customer_id=new.customer_id,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        cases_recounted=recounted,
        by=by.pk if by else None,
    )
    return new


@transaction.atomic
def contract_extend(
    *, by: User | None, contract_id: int, ends_on: datetime.date
) -> ServiceContract:
    """Move a contract's end later (the renewal alert is sent again before the new end);
    not into the period of its renewal."""
    ensure_can(by, "service.edit")
    contract = _locked(by=by, contract_id=contract_id)
    if ends_on <= contract.ends_on:
        raise ValidationFailed(
            _("The contract already ends on %(date)s: give a later date.")
            % {"date": _day(contract.ends_on)},
            field="ends_on",
        )
    renewal = ServiceContract.objects.filter(renewed_from=contract).first()
    if renewal is not None and ends_on >= renewal.starts_on:
        raise ValidationFailed(
            _("Its renewal %(ref)s starts on %(date)s: end it before.")
            % {"ref": renewal.reference, "date": _day(renewal.starts_on)},
            field="ends_on",
        )
    before = contract.ends_on
    contract.ends_on = ends_on
    contract.renewal_alerted_at = None
    contract.save(update_fields=["ends_on", "renewal_alerted_at"])
    recounted = _recount_covered(
        contract,
        since=before + datetime.timedelta(days=1),
        reason=_("contract %(ref)s extended to %(date)s")
        % {"ref": contract.reference, "date": _day(ends_on)},
    )
    _timeline(
        contract,
        by=by,
        subject=_("Contract %(ref)s extended to %(date)s")
        % {"ref": contract.reference, "date": _day(ends_on)},
        body=_("It ended on %(date)s.") % {"date": _day(before)},
    )
    emit(
        "contract.extended",
        contract_id=contract.pk,
        customer_id=contract.customer_id,
        from_ends_on=before.isoformat(),
        ends_on=ends_on.isoformat(),
        cases_recounted=recounted,
        by=by.pk if by else None,
    )
    return contract


@transaction.atomic
def contract_cancel(
    *, by: User | None, contract_id: int, on: datetime.date, reason: str
) -> ServiceContract:
    """Cancel a contract from ``on`` (within its period): from that day it covers no
    asset and gives no case its SLA policy. Open cases opened since then that got its
    policy get the policy they would have without it (the rule of a priority change)."""
    ensure_can(by, "service.edit")
    contract = _locked(by=by, contract_id=contract_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason of the cancellation."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("The reason is too long (%(max)s characters at most).") % {"max": REASON_MAX},
            field="reason",
        )
    if not contract.starts_on <= on <= contract.ends_on:
        raise ValidationFailed(
            _("Cancel it on a day of its period, from %(start)s to %(end)s.")
            % {"start": _day(contract.starts_on), "end": _day(contract.ends_on)},
            field="on",
        )
    contract.status = ServiceContract.Status.CANCELLED
    contract.cancelled_on = on
    contract.cancellation_reason = reason
    contract.save(update_fields=["status", "cancelled_on", "cancellation_reason"])
    retargeted = _retarget_cases(
        contract,
        reason=_("contract %(ref)s cancelled from %(date)s")
        % {"ref": contract.reference, "date": _day(on)},
    )
    _timeline(
        contract,
        by=by,
        subject=_("Contract %(ref)s cancelled from %(date)s")
        % {"ref": contract.reference, "date": _day(on)},
        body=reason,
    )
    emit(
        "contract.cancelled",
        contract_id=contract.pk,
        customer_id=contract.customer_id,
        cancelled_on=on.isoformat(),
        reason=reason,
        cases_retargeted=retargeted,
        by=by.pk if by else None,
    )
    return contract


def _recount_covered(contract: ServiceContract, *, since: datetime.date, reason: str) -> int:
    """The customer's open cases opened from ``since`` to the contract's end, which its
    longer period now covers: the policy each gets now (the contract's, for a case of an
    asset or product it covers and no better contract) and its due times counted again
    from the opening, a note on each that changed (``sla_recount``). Returns how many."""
    if contract.sla_policy_id is None:
        return 0
    return recount_period(contract, since=since, reason=reason)


def recount_period(contract: ServiceContract, *, since: datetime.date, reason: str) -> int:
    """The customer's open cases opened from ``since`` to the contract's end: the policy
    each gets now, due times counted again, a note on each that changed. Returns how
    many changed."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(contract.ends_on + datetime.timedelta(days=1), datetime.time.min)
    )
    ids = Case.objects.filter(
        customer_id=contract.customer_id,
        status__in=Case.OPEN_STATUSES,
        created_at__gte=start,
        created_at__lt=end,
    ).values_list("pk", flat=True)
    return cases_recount(
        list(ids), policies=list(SlaPolicy.objects.select_related("calendar")), reason=reason
    )


def _retarget_cases(contract: ServiceContract, *, reason: str) -> int:
    """The customer's open cases opened from the cancellation day with the contract's
    policy: their policy again without the contract, their due times counted again and
    a note on each that changed saying why (``sla_recount``, as an extension or a
    renewal does). Returns how many changed."""
    if contract.sla_policy_id is None or contract.cancelled_on is None:
        return 0
    since = timezone.make_aware(datetime.datetime.combine(contract.cancelled_on, datetime.time.min))
    ids = Case.objects.filter(
        customer_id=contract.customer_id,
        sla_policy_id=contract.sla_policy_id,
        status__in=Case.OPEN_STATUSES,
        created_at__gte=since,
    ).values_list("pk", flat=True)
    return cases_recount(
        list(ids), policies=list(SlaPolicy.objects.select_related("calendar")), reason=reason
    )
