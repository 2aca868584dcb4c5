"""Merging a duplicate customer into the one that stays, and undoing it.

Everything that points to the merged customer is found by introspection (every
foreign key to ``Customer`` from any app, including apps added later), so a new app's
rows follow a merge without touching this module; where moving is not the whole answer,
the registry each app extends (``duplicates.merging``) says what to do. What moved is
recorded row by row in ``CustomerMerge`` so an undo moves back exactly those rows.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any, cast

from django.apps import apps
from django.core import serializers
from django.db import IntegrityError, models, transaction
from django.db.models import Q, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.services import field_history_record, snapshot
from panorama.customers.models import Customer, CustomerMerge, DuplicateCandidate
from panorama.customers.selectors import scope_filter
from panorama.customers.services.customer import HISTORY_FIELDS, _names

from .. import merging

logger = logging.getLogger(__name__)

CHUNK = 500
# Scalar fields the survivor takes from the merged customer when its own are empty.
FILLED = [
    "first_name",
    "last_name",
    "legal_name",
    "birth_date",
    "language",
    "notes",
    "owner_id",
    "team_id",
]
RESTORED = [*FILLED, "custom_fields", "display_name", "search_name", "search_last"]
Link = tuple[type[models.Model], models.ForeignKey]


def customer_links() -> Iterator[Link]:
    """Every (model, foreign key) pointing to Customer that a merge re-links: all but
    those registered ``merging.LEAVE``."""
    for link in merging.links():
        if link.policy != merging.LEAVE:
            yield link.model, link.field


def _policy(model: type[models.Model], field: models.Field) -> merging.Link:
    return next(
        link for link in merging.links() if link.model is model and link.field.name == field.name
    )


def _label(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.label_lower}.{field.name}"


def _resolve(label: str) -> Link | None:
    app_label, model_name, field_name = label.split(".")
    try:
        model = apps.get_model(app_label, model_name)
        return model, model._meta.get_field(field_name)
    except LookupError:
        return None


def _chunks(ids: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _json_pk(pk: Any) -> Any:
    return pk if isinstance(pk, int) else str(pk)


def _unique_keys(model: type[models.Model], field: models.Field):
    """The other fields that, with ``field``, must be unique (and the rows concerned)."""
    keys: list[tuple[tuple[str, ...], Q | None]] = []
    if field.unique:
        keys.append(((), None))
    for together in model._meta.unique_together:
        if field.name in together:
            keys.append((tuple(f for f in together if f != field.name), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and field.name in constraint.fields:
            others = tuple(f for f in constraint.fields if f != field.name)
            keys.append((others, constraint.condition))
    keys.extend(_policy(model, field).unique)
    return keys


def _colliding(model, field, survivor_id: int, merged_id: int) -> set[Any]:
    """Rows of the merged customer that would break a uniqueness rule on the survivor:
    the survivor already has the same identity, is already in the same group..."""
    kept: set[Any] = set()
    for others, condition in _unique_keys(model, field):
        rows = (
            model._base_manager.filter(condition)
            if condition is not None
            else model._base_manager.all()
        )
        if not others:
            if rows.filter(**{field.attname: survivor_id}).exists():
                kept |= set(rows.filter(**{field.attname: merged_id}).values_list("pk", flat=True))
            continue
        taken = set(rows.filter(**{field.attname: survivor_id}).values_list(*others))
        if taken:
            for pk, *values in rows.filter(**{field.attname: merged_id}).values_list("pk", *others):
                if tuple(values) in taken:
                    kept.add(pk)
    return kept


def _primaries_to_clear(model, field, survivor_id: int, moving: list[Any]) -> list[Any]:
    """Moved rows marked primary where the survivor already has a primary (per kind)."""
    names = {f.name for f in model._meta.concrete_fields}
    if "is_primary" not in names or not moving:
        return []
    per = ["kind"] if "kind" in names else []
    primary = model._base_manager.filter(**{field.attname: survivor_id, "is_primary": True})
    taken = set(primary.values_list(*per)) if per else ({()} if primary.exists() else set())
    clear = []
    for chunk in _chunks(moving):
        for pk, *values in model._base_manager.filter(pk__in=chunk, is_primary=True).values_list(
            "pk", *per
        ):
            if tuple(values) in taken:
                clear.append(pk)
    return clear


def _drop(model: type[models.Model], pks: set[Any]) -> list[dict[str, Any]]:
    """Delete the rows and return them serialized whole, for an undo to restore."""
    rows = model._base_manager.filter(pk__in=pks).order_by("pk")
    saved = json.loads(serializers.serialize("json", rows))
    rows.delete()
    return saved


def _restore(label: str, rows: list[dict[str, Any]]) -> None:
    """Put back rows a merge deleted, with their ids, unless they can no longer be: what
    they point to was deleted since, or the same link was made again."""
    for item in serializers.deserialize("python", rows, ignorenonexistent=True):
        row = item.object
        gone = [
            field.name
            for field in row._meta.concrete_fields
            if field.is_relation
            and getattr(row, field.attname) is not None
            and not cast(type[models.Model], field.related_model)
            ._base_manager.filter(pk=getattr(row, field.attname))
            .exists()
        ]
        if gone:
            logger.warning("merge undo: %s #%s not restored, %s gone", label, row.pk, gone)
            continue
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            logger.warning("merge undo: %s #%s not restored, made again since", label, row.pk)


def _lock_and_check(by: User | None, *ids: int) -> dict[int, Customer]:
    locked = {
        c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    visible = set(locked)
    if by is not None:
        visible = set(
            Customer.objects.filter(scope_filter(by), pk__in=ids).values_list("pk", flat=True)
        )
    for customer_id in ids:
        if customer_id not in locked or customer_id not in visible:
            raise NotFound(
                _("Customer %(id)s does not exist or is not visible to you.") % {"id": customer_id}
            )
    return locked


def _as_json(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return dict(value)
    return value


def _fill_survivor(survivor: Customer, merged: Customer) -> dict[str, Any]:
    """Give the survivor what it lacks; return the changed fields' values before."""
    before = {name: _as_json(getattr(survivor, name)) for name in RESTORED}
    for name in FILLED:
        if name in {"first_name", "last_name", "legal_name"} and survivor.kind != merged.kind:
            continue
        if getattr(survivor, name) in (None, "") and getattr(merged, name) not in (None, ""):
            setattr(survivor, name, getattr(merged, name))
    missing = {
        k: v for k, v in (merged.custom_fields or {}).items() if k not in survivor.custom_fields
    }
    if missing:
        survivor.custom_fields = {**survivor.custom_fields, **missing}
    _names(survivor)
    return {
        name: value for name, value in before.items() if value != _as_json(getattr(survivor, name))
    }


def _candidate_set(survivor_id: int, merged_id: int, status: str) -> None:
    a, b = sorted((survivor_id, merged_id))
    DuplicateCandidate.objects.filter(customer_a_id=a, customer_b_id=b).update(status=status)


@transaction.atomic
def customer_merge(*, survivor: Customer, merged: Customer, by: User | None) -> CustomerMerge:
    """Merge ``merged`` into ``survivor``: its rows move, it stays hidden, undoable."""
    ensure_can(by, "customers.merge")
    if survivor.pk == merged.pk:
        raise ValidationFailed(_("A customer cannot be merged into itself."), field="survivor_id")
    locked = _lock_and_check(by, survivor.pk, merged.pk)
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    for customer, role in ((survivor, "survivor_id"), (merged, "merged_id")):
        if customer.merged_into_id is not None:
            raise Conflict(
                _("%(name)s was already merged into another customer.") % {"name": customer},
                field=role,
            )

    relinked: dict[str, list[Any]] = {}
    kept: dict[str, list[Any]] = {}
    dropped: dict[str, list[dict[str, Any]]] = {}
    primary_cleared: dict[str, list[Any]] = {}
    for model, field in customer_links():
        label = _label(model, field)
        keep = _colliding(model, field, survivor.pk, merged.pk)
        rows = model._base_manager.filter(**{field.attname: merged.pk}).exclude(pk__in=keep)
        if keep and _policy(model, field).policy == merging.DROP_DUPLICATES:
            dropped[label] = _drop(model, keep)
            keep = set()
        if model is Customer:
            rows = rows.exclude(pk=survivor.pk)
        moving = list(rows.values_list("pk", flat=True))
        clear = _primaries_to_clear(model, field, survivor.pk, moving)
        try:
            with transaction.atomic():
                for chunk in _chunks(clear):
                    model._base_manager.filter(pk__in=chunk).update(is_primary=False)
                for chunk in _chunks(moving):
                    model._base_manager.filter(pk__in=chunk).update(**{field.attname: survivor.pk})
        except IntegrityError:
            raise Conflict(
                _("The %(what)s of %(name)s cannot be moved to %(survivor)s.")
                % {"what": model._meta.verbose_name_plural, "name": merged, "survivor": survivor}
            ) from None
        if moving:
            relinked[label] = [_json_pk(pk) for pk in moving]
        if keep:
            kept[label] = sorted(_json_pk(pk) for pk in keep)
        if clear:
            primary_cleared[model._meta.label_lower] = [_json_pk(pk) for pk in clear]

    history_before = snapshot(survivor, HISTORY_FIELDS)
    survivor_before = _fill_survivor(survivor, merged)
    if survivor_before:
        survivor.save(update_fields=[*survivor_before, "updated_at"])
    field_history_record(
        instance=survivor,
        before={**history_before, "merged_from": ""},
        after={**snapshot(survivor, HISTORY_FIELDS), "merged_from": f"{merged} (#{merged.pk})"},
        user=by,
        customer_id=survivor.pk,
        reason="merge",
    )
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    field_history_record(
        instance=merged,
        before={"merged_into": ""},
        after={"merged_into": str(survivor.pk)},
        user=by,
        customer_id=merged.pk,
        reason="merge",
    )
    _candidate_set(survivor.pk, merged.pk, DuplicateCandidate.Status.MERGED)
    merge = CustomerMerge.objects.create(
        survivor=survivor,
        merged=merged,
        relinked=relinked,
        kept=kept,
        dropped=dropped,
        primary_cleared=primary_cleared,
        survivor_before=survivor_before,
        survivor_after={name: _as_json(getattr(survivor, name)) for name in survivor_before},
        merged_by=by,
    )
    emit(
        "customer.merged",
        merge_id=merge.pk,
        customer_id=survivor.pk,
        merged_id=merged.pk,
        by=by.pk if by else None,
    )
    return merge


def _link_of(merge: CustomerMerge, model_label: str):
    """The filter on the customer link of a model whose rows the merge moved."""
    for label in merge.relinked:
        if label.rsplit(".", 1)[0] == model_label:
            link = _resolve(label)
            if link is not None:
                return lambda customer_id: {link[1].attname: customer_id}
    return lambda customer_id: {}


DERIVED = {"display_name", "search_name", "search_last"}  # kept up to date by ``_names``


def _survivor_restore(
    merge: CustomerMerge, survivor: Customer, merged: Customer
) -> list[dict[str, Any]]:
    """Give the survivor back the fields the merge filled, each only while it still holds
    what the merge wrote there; return the others (changed since) as conflicts."""
    wrote = merge.survivor_after
    if not wrote and merge.survivor_before:  # merges recorded before survivor_after
        wrote = {name: _as_json(getattr(merged, name)) for name in FILLED}
        wrote["custom_fields"] = {
            **merged.custom_fields,
            **merge.survivor_before.get("custom_fields", {}),
        }
    conflicts: list[dict[str, Any]] = []

    def conflict(field: str, before: Any, merged_value: Any, current: Any) -> None:
        def text(value: Any) -> str:
            return "" if value is None else str(value)

        conflicts.append(
            {
                "field": field,
                "before": text(before),
                "merged": text(merged_value),
                "current": text(current),
            }
        )

    for name, old in merge.survivor_before.items():
        if name in DERIVED:
            continue
        current, written = _as_json(getattr(survivor, name)), wrote.get(name)
        if name == "custom_fields":
            fields = dict(survivor.custom_fields or {})
            old, written = old or {}, written or {}
            for key in set(old) | set(written):
                if old.get(key) == written.get(key):
                    continue
                if fields.get(key) == written.get(key):
                    if key in old:
                        fields[key] = old[key]
                    else:
                        fields.pop(key, None)
                elif fields.get(key) != old.get(key):
                    conflict(
                        f"custom_fields.{key}", old.get(key), written.get(key), fields.get(key)
                    )
            survivor.custom_fields = fields
        elif current == written:
            setattr(
                survivor, name, cast(models.Field, Customer._meta.get_field(name)).to_python(old)
            )
        elif current != old:
            conflict(name, old, written, current)
    _names(survivor)
    return conflicts


@transaction.atomic
def customer_merge_undo(*, merge: CustomerMerge, by: User | None) -> CustomerMerge:
    """Move back exactly the rows the merge moved and restore the survivor's fields.

    Rows added to the survivor since the merge stay with it; a field the merge filled
    and someone changed since keeps its new value and is listed in ``undo_conflicts``.
    """
    ensure_can(by, "customers.merge_undo")
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict(_("This merge was already undone."))
    locked = _lock_and_check(by, merge.survivor_id, merge.merged_id)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if survivor.merged_into_id is not None:
        raise Conflict(
            _("%(name)s has since been merged into another customer: undo that merge first.")
            % {"name": survivor}
        )
    if merged.merged_into_id != survivor.pk:
        raise Conflict(
            _("%(name)s is no longer merged into %(survivor)s.")
            % {"name": merged, "survivor": survivor}
        )

    for label, ids in merge.relinked.items():
        link = _resolve(label)
        if link is None:  # the app that owned these rows was removed since
            logger.warning("merge undo: %s no longer exists, rows not moved back", label)
            continue
        model, field = link
        for chunk in _chunks(ids):
            model._base_manager.filter(pk__in=chunk, **{field.attname: survivor.pk}).update(
                **{field.attname: merged.pk}
            )
    for label, rows in merge.dropped.items():
        if _resolve(label) is None:
            logger.warning("merge undo: %s no longer exists, rows not restored", label)
            continue
        _restore(label, rows)
    for label, ids in merge.primary_cleared.items():
        model = apps.get_model(label)
        back = _link_of(merge, label)  # only rows that went back to the merged customer
        for chunk in _chunks(ids):
            model._base_manager.filter(pk__in=chunk, **back(merged.pk)).update(is_primary=True)

    history_before = snapshot(survivor, HISTORY_FIELDS)
    conflicts = _survivor_restore(merge, survivor, merged)
    if merge.survivor_before:
        survivor.save(update_fields=[*merge.survivor_before, "updated_at"])
    field_history_record(
        instance=survivor,
        before={**history_before, "merged_from": f"{merged} (#{merged.pk})"},
        after={**snapshot(survivor, HISTORY_FIELDS), "merged_from": ""},
        user=by,
        customer_id=survivor.pk,
        reason="merge undone",
    )
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    field_history_record(
        instance=merged,
        before={"merged_into": str(survivor.pk)},
        after={"merged_into": ""},
        user=by,
        customer_id=merged.pk,
        reason="merge undone",
    )
    _candidate_set(survivor.pk, merged.pk, DuplicateCandidate.Status.OPEN)
    merge.undone_at = timezone.now()
    merge.undone_by = by if (by and by.is_authenticated) else None
    merge.undo_conflicts = conflicts
    merge.save(update_fields=["undone_at", "undone_by", "undo_conflicts"])
    emit(
        "customer.merge_undone",
        merge_id=merge.pk,
        customer_id=survivor.pk,
        merged_id=merged.pk,
        by=by.pk if by else None,
    )
    return merge
