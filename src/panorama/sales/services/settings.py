"""The sales settings administrators change in the app (``SalesSettingChange``): read
the value in force, change it (audited: who, when, from → to, why)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed

from ..models import SalesSettingChange

Key = SalesSettingChange.Key


def _default(key: str) -> Decimal:
    # The environment gives the value until an administrator first changes it.
    if key == Key.QUOTE_APPROVAL_DISCOUNT:
        return Decimal(str(settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT))
    raise ValidationFailed(_("Unknown setting %(k)s.") % {"k": key}, field="key")


def sales_setting(key: str) -> Decimal:
    """The value in force: the latest change, else the environment's default (one
    query)."""
    latest = SalesSettingChange.objects.filter(key=key).order_by("-id").values("value").first()
    return Decimal(latest["value"]) if latest else _default(key)


def sales_setting_history(key: str, limit: int = 10) -> list[SalesSettingChange]:
    return list(
        SalesSettingChange.objects.filter(key=key)
        .select_related("changed_by")
        .order_by("-id")[:limit]
    )


def _percent(value: Any, field: str) -> Decimal:
    if isinstance(value, bool):
        value = None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        number = Decimal("NaN")
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValidationFailed(_("Give a percentage between 0 and 100."), field=field)
    if number != number.quantize(Decimal("0.01")):
        raise ValidationFailed(_("Use at most two decimals."), field=field)
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def sales_setting_change(
    *, by: User | None, key: str, value: Any, comment: str = ""
) -> SalesSettingChange | None:
    """Set ``key`` to ``value`` (administrators: ``sales.configure``). The change is
    kept with who made it, the previous value and the comment; the same value again
    changes nothing (None)."""
    ensure_can(by, "sales.configure")
    if key not in Key.values:
        raise ValidationFailed(_("Unknown setting %(k)s.") % {"k": key}, field="key")
    new = _percent(value, field=key)
    comment = (comment or "").strip()
    if len(comment) > 200:
        raise ValidationFailed(_("A comment has at most 200 characters."), field="comment")
    # Serialise concurrent changes so each row's "previous" is the one it replaced.
    list(SalesSettingChange.objects.select_for_update().filter(key=key).order_by("-id")[:1])
    old = sales_setting(key)
    if new == old:
        return None
    change = SalesSettingChange.objects.create(
        key=key, value=str(new), previous=str(old), comment=comment, changed_by=by
    )
    emit(
        "sales.setting_changed",
        key=key,
        value=str(new),
        previous=str(old),
        by=by.pk if by else None,
    )
    return change
