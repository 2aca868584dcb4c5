"""One batch of import rows, checked by ``import_check``: match, then write everything
in a few bulk queries.

Each row went through ``customer_build`` (the validation of ``customer_create``), so a
row is accepted by the import exactly when the form and the API would accept it.

A created customer carries its job (``Customer.import_job``); an updated one gets an
ImportChange with its state before and what the import wrote. Undo (``undo.py``)
deletes the first and restores the second, as far as nobody changed them since.
Which rows create and which update is decided first (``matching.BatchMatch``).
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from panorama.core.bulk import model_attnames, objects_insert, rows_insert
from panorama.core.events import emit
from panorama.core.jobs import JobLost
from panorama.core.models import FieldChange
from panorama.customers.models import Address, Customer, Identity, ImportChange, ImportJob

from .changes import RESTORED_FIELDS, snapshot_of
from .matching import BatchMatch, Merged, Row


class Batch(BatchMatch):
    """Rows of one batch, written in one transaction with a fixed number of queries."""

    def write(self) -> None:
        """Match the rows, then store the batch and the job's counts in one transaction
        (so the counts never disagree with what was written)."""
        self._match()
        self._store()

    def _store(self) -> None:
        with transaction.atomic():
            created_ids = self._create(self.creates)
            changes = self._update(self.updates)
            objects_insert(changes)
            # Past the cap a rejected row is counted, not stored: a file of a million bad
            # rows must not write a million records.
            room = max(settings.PANORAMA_IMPORT_MAX_REJECTED_ROWS - self.plan.errors_kept, 0)
            objects_insert(self.errors[:room])
            self.plan.errors_kept += min(room, len(self.errors))
            job_counts_add(
                self.job,
                processed=self.processed,
                created=len(self.creates),
                updated=len(changes),
                unchanged=len(self.updates) - len(changes),
                rejected=len(self.errors),
                possible_duplicates=self.possible_duplicates,
            )
            if created_ids or changes:
                emit(
                    "customer.imported",
                    job_id=self.job.pk,
                    created_ids=created_ids,
                    updated_ids=[change.customer_id for change in changes],
                    by=self.job.created_by_id,
                )

    def _create(self, rows: list[Row]) -> list[int]:
        """New customers straight from their column values: no instances to build."""
        customer_ids = rows_insert(
            Customer,
            [list(r.fields[0]) for r in rows],
            import_job_id=self.job.pk,  # what undo deletes
        )
        identity_link = model_attnames(Identity).index("customer_id")
        address_link = model_attnames(Address).index("customer_id")
        identities, addresses = [], []
        for row, customer_id in zip(rows, customer_ids, strict=True):
            for fields in row.fields[1]:
                identities.append(list(fields))
                identities[-1][identity_link] = customer_id
            for fields in row.fields[2]:
                addresses.append(list(fields))
                addresses[-1][address_link] = customer_id
        rows_insert(Identity, identities)
        rows_insert(Address, addresses)
        return customer_ids

    def _update(self, updates: list[tuple[Merged, int]]) -> list[ImportChange]:
        changed: list[Customer] = []
        history: list[FieldChange] = []
        new_identities: dict[int, list[Identity]] = {}
        new_addresses: dict[int, list[Address]] = {}
        befores: dict[int, dict[str, Any]] = {}
        afters: dict[int, dict[str, Any]] = {}
        now = timezone.now()
        for merged, customer_id in updates:
            customer = self.existing[customer_id]
            before = befores[customer_id] = snapshot_of(customer)
            for name in RESTORED_FIELDS:
                setattr(customer, name, getattr(merged.customer, name))
            after = snapshot_of(customer)
            # What the import wrote, so undo restores a field only while it still holds it.
            afters[customer_id] = {k: v for k, v in after.items() if before[k] != v}
            if after != before:
                customer.updated_at = now
                changed.append(customer)
                history += [
                    FieldChange(
                        content_type_id=self.content_type_id,
                        object_id=str(customer_id),
                        customer_id=customer_id,
                        field=name,
                        old_value=str(before[name] or ""),
                        new_value=str(after[name] or ""),
                        changed_by=self.plan.by,
                        reason="import",
                    )
                    for name in RESTORED_FIELDS
                    if before[name] != after[name] and name not in {"search_name", "search_last"}
                ]
            new_identities[customer_id] = [
                i
                for i in merged.identities
                if (customer_id, i.kind, i.value) not in self.known_identities
            ]
            known = self.known_addresses[customer_id]
            new_addresses[customer_id] = [
                a for a in merged.addresses if (a.line1.lower(), a.postal_code) not in known
            ]
            added: list[Identity | Address] = [
                *new_identities[customer_id],
                *new_addresses[customer_id],
            ]
            for item in added:
                item.customer = customer
                item.is_primary = False
        if changed:
            Customer.objects.bulk_update(changed, [*RESTORED_FIELDS, "updated_at"])
            objects_insert(history)
        objects_insert([i for items in new_identities.values() for i in items])
        objects_insert([a for items in new_addresses.values() for a in items])
        # A customer the row leaves as it was gets no undo record: it counts as unchanged.
        touched = {c.pk for c in changed} | {
            customer_id
            for customer_id in befores
            if new_identities[customer_id] or new_addresses[customer_id]
        }
        return [
            ImportChange(
                job=self.job,
                customer_id=customer_id,
                before={
                    "fields": befores[customer_id],
                    "after": afters[customer_id],
                    "identities": [i.pk for i in new_identities[customer_id]],
                    "addresses": [a.pk for a in new_addresses[customer_id]],
                },
            )
            for _merged, customer_id in updates
            if customer_id in touched
        ]

    @property
    def content_type_id(self) -> int:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(Customer).pk


def job_counts_add(
    job: ImportJob,
    *,
    processed: int,
    created: int,
    updated: int,
    unchanged: int,
    rejected: int,
    possible_duplicates: int = 0,
) -> None:
    """Count the batch in the job, in the batch's transaction, and beat its heartbeat; a
    job no longer running in this process (failed or undone since, or resumed by
    another) makes the batch roll back (``JobLost``)."""
    owned = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING)
    if job.worker:
        owned = owned.filter(worker=job.worker)
    counted = owned.update(
        heartbeat_at=timezone.now(),
        processed_rows=F("processed_rows") + processed,
        created_count=F("created_count") + created,
        updated_count=F("updated_count") + updated,
        unchanged_count=F("unchanged_count") + unchanged,
        rejected_count=F("rejected_count") + rejected,
        possible_duplicate_count=F("possible_duplicate_count") + possible_duplicates,
    )
    if not counted:
        raise JobLost
