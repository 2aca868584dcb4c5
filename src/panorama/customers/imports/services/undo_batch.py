"""One batch of an import's undo (``undo.py`` runs them): the customers the import
created, deleted unless something was added to them since, or the customers it updated,
given back the fields that still hold what it wrote; with the field history, the report
notes and the counts of each."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from panorama.accounts.models import User
from panorama.core.models import FieldChange
from panorama.core.services import field_changes_build, snapshot
from panorama.customers.models import (
    Address,
    Customer,
    CustomerMerge,
    DuplicateCandidate,
    Identity,
    ImportChange,
    ImportJob,
    ImportUndoNote,
)
from panorama.customers.services.customer import HISTORY_FIELDS, _names

from .changes import RESTORED_FIELDS, snapshot_of, snapshot_restore

REASON = "import undone"
# Kept up to date from the fields above by ``_names``: never compared nor restored.
DERIVED = {"display_name", "search_name", "search_last"}
# Bookkeeping that points at customers without being anything of theirs.
NOT_RECORDS = {DuplicateCandidate}
MERGE_REASONS = ("merge", "merge undone")  # the field history written by merge.py


def _links_to(model: type[models.Model]) -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every (model, foreign key) of any app that points at ``model``."""
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel):  # a field of the model's own
            continue
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        field = relation.field
        if field.model._meta.proxy or not field.model._meta.managed:
            continue
        yield field.model, field


def job_since(job: ImportJob) -> datetime.datetime:
    return job.started_at or job.created_at


class UndoBatch:
    """One batch of the undo: its writes, field history, report notes and counts."""

    def __init__(self, job: ImportJob, by: User | None):
        self.job, self.by = job, by
        self.history: list[FieldChange] = []
        self.notes: list[ImportUndoNote] = []
        self.counts = {"processed": 0, "deleted": 0, "restored": 0, "kept": 0, "conflicts": 0}
        self.fields: set[str] = set()  # customer fields the batch restores

    def note(self, customer_id: int, name: str, kind: str, field: str = "", **detail) -> None:
        self.notes.append(
            ImportUndoNote(
                job=self.job,
                customer_id=customer_id,
                customer_name=name[:255],
                kind=kind,
                field=field,
                detail=detail,
            )
        )

    def save(self) -> None:
        FieldChange.objects.bulk_create(self.history)
        ImportUndoNote.objects.bulk_create(self.notes)
        ImportJob.objects.filter(pk=self.job.pk).update(
            heartbeat_at=timezone.now(),
            **{f"undo_{k}": F(f"undo_{k}") + v for k, v in self.counts.items()},
        )

    # --- customers the import created ---------------------------------------------------

    def created(self, ids: list[int]) -> None:
        customers = Customer.objects.select_for_update().in_bulk(ids)
        records = self._records_since(list(customers))
        gone = [pk for pk in customers if pk not in records]
        if gone:
            Customer.objects.filter(pk__in=gone).delete()
        kept = [customers[pk] for pk in customers if pk in records]
        if kept:
            Customer.objects.filter(pk__in=[c.pk for c in kept]).update(import_job=None)
        origin = f"{self.job.original_name} (#{self.job.pk})"
        for customer in kept:
            self.history += field_changes_build(
                instance=customer,
                before={"import_job": origin},
                after={"import_job": ""},
                user=self.by,
                customer_id=customer.pk,
                reason=REASON,
            )
            self.note(
                customer.pk, str(customer), ImportUndoNote.Kind.KEPT, records=records[customer.pk]
            )
        self.counts.update(
            processed=len(ids), deleted=len(gone), kept=len(kept), restored=0, conflicts=0
        )

    def _records_since(self, ids: list[int]) -> dict[int, list[str]]:
        """Per customer, the kinds of record (``app.model``) added to it since the import.

        The import itself wrote only the customer, its identities and addresses, and no
        field history; anything else pointing at the customer came later.
        """
        found: dict[int, set[str]] = defaultdict(set)
        end = self.job.finished_at or timezone.now()
        for model, field in _links_to(Customer):
            if model in NOT_RECORDS or model is Address:  # addresses: see field history
                continue
            rows = model._base_manager.filter(**{f"{field.attname}__in": ids})
            if model is Identity:
                rows = rows.filter(created_at__gt=end)
            elif model is CustomerMerge:  # an undone merge gave everything back
                rows = rows.filter(undone_at__isnull=True)
            for customer_id in rows.values_list(field.attname, flat=True).distinct():
                found[customer_id].add(model._meta.label_lower)
        for model in (Identity, Address):  # another record pointing at one of its own
            for other, field in _links_to(model):
                rows = other._base_manager.filter(
                    **{f"{field.name}__customer_id__in": ids}
                ).values_list(f"{field.name}__customer_id", flat=True)
                for customer_id in rows.distinct():
                    found[cast(int, customer_id)].add(other._meta.label_lower)
        # Edits since; a merge's own changes count through its CustomerMerge above.
        edited = (
            FieldChange.objects.filter(customer_id__in=ids)
            .exclude(reason__in=MERGE_REASONS)
            .values_list("customer_id", flat=True)
        )
        for changed_id in edited.distinct():
            found[cast(int, changed_id)].add(FieldChange._meta.label_lower)  # filtered: not null
        return {pk: sorted(labels) for pk, labels in found.items()}

    # --- customers the import updated ---------------------------------------------------

    def updated(self, changes: list[ImportChange]) -> None:
        ids = [c.customer_id for c in changes]
        customers = Customer.objects.select_for_update().in_bulk(ids)
        merged = self._merged_since(ids)
        legacy = self._imported_values([c.customer_id for c in changes if "after" not in c.before])
        identities = self._added(Identity, changes, "identities")
        addresses = self._added(Address, changes, "addresses")
        changed: list[Customer] = []
        restored = conflicts = 0
        for change in changes:
            customer = customers.get(change.customer_id)
            if customer is None:  # deleted since: nothing to give back
                continue
            if customer.pk in merged:
                self.note(
                    customer.pk,
                    str(customer),
                    ImportUndoNote.Kind.MERGED,
                    merge=merged[customer.pk],
                )
                conflicts += 1
                continue
            before = snapshot(customer, HISTORY_FIELDS)
            wrote = change.before.get("after")
            if wrote is None:
                wrote = legacy.get(customer.pk, {})
            found = self._restore(customer, change.before.get("fields", {}), wrote)
            conflicts += found
            after = snapshot(customer, HISTORY_FIELDS)
            if after != before:
                customer.updated_at = timezone.now()
                changed.append(customer)
            self.history += field_changes_build(
                instance=customer,
                before=before,
                after=after,
                user=self.by,
                customer_id=customer.pk,
                reason=REASON,
            )
            removed = 0
            for model, key, rows in (
                (Identity, "identities", identities),
                (Address, "addresses", addresses),
            ):
                for pk in change.before.get(key, []):
                    row = rows.get(pk)
                    if row is None:
                        continue  # removed since
                    label = f"identity:{row.kind}" if model is Identity else "address"
                    text = row.display_value if model is Identity else str(row)
                    if row.customer_id != customer.pk or row.pk in rows.used:
                        self.note(
                            customer.pk, str(customer), ImportUndoNote.Kind.KEPT, label, value=text
                        )
                        conflicts += 1
                        continue
                    rows.remove.append(pk)
                    removed += 1
                    self.history += field_changes_build(
                        instance=customer,
                        before={label: text},
                        after={label: ""},
                        user=self.by,
                        customer_id=customer.pk,
                        reason=REASON,
                    )
            if after != before or removed:
                restored += 1
        if changed:  # only the fields restored: a smaller write
            Customer.objects.bulk_update(changed, [*sorted(self.fields), "updated_at"])
        for model, rows in ((Identity, identities), (Address, addresses)):
            if rows.remove:
                model.objects.filter(pk__in=rows.remove).delete()
        ImportChange.objects.filter(pk__in=[c.pk for c in changes]).delete()
        self.counts.update(
            processed=len(changes), deleted=0, kept=0, restored=restored, conflicts=conflicts
        )

    def _restore(self, customer: Customer, old: dict[str, Any], wrote: dict[str, Any]) -> int:
        """Put back each field that still holds what the import wrote; note the others.
        Returns how many were not restored."""
        current = snapshot_of(customer)
        back: dict[str, Any] = {}
        conflicts = 0
        for name, imported in wrote.items():
            if name in DERIVED or name not in old:
                continue
            if name == "custom_fields":
                fields, found = self._custom_fields(customer, old[name] or {}, imported or {})
                if fields is not None:
                    back[name] = fields
                conflicts += found
            elif current[name] == imported:
                back[name] = old[name]
            elif current[name] != old[name]:
                conflicts += 1
                self._conflict(customer, name, old[name], imported, current[name])
        if back:
            snapshot_restore(customer, back)
            _names(customer)
            self.fields |= {*back, *DERIVED}
        return conflicts

    def _custom_fields(self, customer: Customer, old: dict, imported: dict):
        """Custom fields key by key: another key edited since does not block the rest."""
        result = dict(customer.custom_fields or {})
        conflicts, touched = 0, False
        for key in set(old) | set(imported):
            if old.get(key) == imported.get(key):
                continue
            now = result.get(key)
            if now == imported.get(key):
                touched = True
                if key in old:
                    result[key] = old[key]
                else:
                    result.pop(key, None)
            elif now != old.get(key):
                conflicts += 1
                self._conflict(
                    customer, f"custom_fields.{key}", old.get(key), imported.get(key), now
                )
        return (result if touched else None), conflicts

    def _conflict(self, customer: Customer, field: str, before, imported, current) -> None:
        def text(value: Any) -> str:
            return "" if value is None else str(value)

        self.note(
            customer.pk,
            str(customer),
            ImportUndoNote.Kind.CONFLICT,
            field,
            before=text(before),
            imported=text(imported),
            current=text(current),
        )

    def _merged_since(self, ids: list[int]) -> dict[int, int]:
        """Customers of the batch in a merge made since the import (one made while this
        undo runs: its start refused the ones made before)."""
        merges = CustomerMerge.objects.filter(
            Q(survivor_id__in=ids) | Q(merged_id__in=ids),
            undone_at__isnull=True,
            merged_at__gte=job_since(self.job),
        ).values_list("pk", "survivor_id", "merged_id")
        found: dict[int, int] = {}
        for pk, survivor_id, merged_id in merges:
            found.setdefault(survivor_id, pk)
            found.setdefault(merged_id, pk)
        return found

    def _imported_values(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """For undo records written before they kept the import's values: those values,
        from the import's field history (text; a custom field compared whole)."""
        if not ids:
            return {}
        found: dict[int, dict[str, Any]] = defaultdict(dict)
        rows = FieldChange.objects.filter(
            customer_id__in=ids, reason="import", changed_at__gte=job_since(self.job)
        )
        if self.job.finished_at:
            rows = rows.filter(changed_at__lte=self.job.finished_at)
        for customer_id, field, value in rows.order_by("pk").values_list(
            "customer_id", "field", "new_value"
        ):
            if field in RESTORED_FIELDS and field != "custom_fields":
                found[cast(int, customer_id)][field] = (
                    (value or None) if field == "birth_date" else value
                )
        return found

    def _added(self, model, changes: list[ImportChange], key: str) -> "_Rows":
        pks = [pk for change in changes for pk in change.before.get(key, [])]
        rows = _Rows(model._base_manager.in_bulk(pks) if pks else {})
        for other, field in _links_to(model):
            if pks:
                rows.used |= set(
                    other._base_manager.filter(**{f"{field.attname}__in": pks}).values_list(
                        field.attname, flat=True
                    )
                )
        return rows


class _Rows(dict):
    """Identities or addresses the import added, by id: which others use, which go."""

    def __init__(self, rows: dict):
        super().__init__(rows)
        self.used: set[Any] = set()
        self.remove: list[Any] = []
