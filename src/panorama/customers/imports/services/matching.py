"""Matching the rows of one import batch with the customers they update (reads only):
``rows.Batch`` then writes what this decides, and the dry run and the wizard's preview
ask it what a batch would do (``forecast``).

A row's *identifier* is the first of national_id, external_id, email, phone and
loyalty_card that it has. When a customer the importer sees already holds that
identifier the row updates that customer instead of creating a duplicate, so running
the same file twice creates nothing the second time. Customers he cannot see are never
matched: the row creates his own, as if they did not exist. Matching on the strongest
identifier only, not on any of them, keeps a family that shares a phone from being
folded into one customer.

A row with no identifier at all is matched on the customer's name, with the birth date
and postal code when the row has them (``_namesakes``), within what the importer sees:
the same name, birth date and postal code update that one customer; a customer with
the same name whose birth date and postal code do not contradict the row makes it a
*possible duplicate*, reported instead of created; otherwise the row creates one.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from panorama.core.bulk import model_attnames
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Address, Customer, Identity, ImportJob, ImportRowError
from panorama.customers.selectors import customers_visible_to
from panorama.customers.services.customer import customer_build

from .changes import snapshot_of
from .check import Plan, row_data
from .values import KIND_WORDS, STATUS_WORDS, cell_word

_KIND_LABELS = dict(Identity.Kind.choices)  # lazy labels: translated when formatted
_CUSTOMER_AT = {name: i for i, name in enumerate(model_attnames(Customer))}
_POSTAL_AT = model_attnames(Address).index("postal_code")
_SHOWN_NAMESAKES = 3  # customers a possible duplicate names in its message


@dataclass
class Row:
    number: int
    cells: list[str]  # as read: the report shows them when the row is rejected
    values: dict[str, list[str]]
    fields: tuple  # the customer's, identities' and addresses' columns (``row_check``)
    key: tuple[str, str] | None = None


@dataclass
class Merged:
    """What an update row makes of an existing customer (instances, validated)."""

    customer: Customer
    identities: list[Identity]
    addresses: list[Address]


class BatchMatch:
    """The rows of one batch sorted into creates, updates and rejections (``_match``)."""

    def __init__(self, job: ImportJob, plan: Plan):
        self.job, self.plan = job, plan
        self.rows: list[Row] = []
        self.errors: list[ImportRowError] = []
        self.processed = 0  # rows added, good or bad
        self.possible_duplicates = 0  # rows without identifier not created (see _match)
        self.column_of = plan.column_of

    def reject(
        self, number: int, cells: list[str], exc: ValidationFailed | str, fld: str = ""
    ) -> None:
        if isinstance(exc, ValidationFailed):
            fld, message = exc.field or "", str(exc.message)
        else:
            message = exc
        self.reject_all(number, cells, [(fld, message)])

    def reject_all(self, number: int, cells: list[str], problems: list[tuple[str, str]]) -> None:
        """Record a rejected row: every problem (with the file's column at fault) and the
        row's cells as read, so the report gives back the row to fix and import again."""
        listed = [
            {"field": self.column_of.get(fld, fld)[:100], "message": message}
            for fld, message in problems
        ]
        self.errors.append(
            ImportRowError(
                job=self.job,
                row_number=number,
                field=listed[0]["field"],
                message="; ".join(p["message"] for p in listed),
                problems=listed,
                cells=cells[: self.plan.width],
            )
        )

    def add_checked(self, checked: tuple) -> None:
        """Take one result of ``row_check``: a row to match, or a rejection."""
        self.processed += 1
        number, cells, values, key, fields = checked
        if values is None:
            self.reject_all(number, cells, fields)
            return
        self.rows.append(Row(number, cells, values, fields, key))

    def _owners(self) -> dict[tuple[str, str], set[int]]:
        keys = {r.key for r in self.rows if r.key}
        owners: dict[tuple[str, str], set[int]] = defaultdict(set)
        if keys:
            # No join to customers here: without table statistics SQLite would drive the
            # join from the customers' side and scan them all (seconds instead of ms).
            found = Identity.objects.filter(
                value__in={v for _k, v in keys}, kind__in={k for k, _v in keys}
            ).values_list("kind", "value", "customer_id")
            for kind, value, customer_id in found:
                if (kind, value) in keys:
                    owners[(kind, value)].add(customer_id)
            ids = {c for holders in owners.values() for c in holders}
            merged = (
                set(
                    Customer.objects.filter(pk__in=ids, merged_into__isnull=False).values_list(
                        "pk", flat=True
                    )
                )
                if ids
                else set()
            )
            if merged:
                owners = defaultdict(set, {k: v - merged for k, v in owners.items() if v - merged})
        return owners

    def _reject_taken(self, row: Row) -> None:
        assert row.key is not None  # only a row with an identifier can find it taken
        self.reject(
            row.number,
            row.cells,
            _("%(value)s cannot be imported: this identifier is already in use.")
            % {"value": row.key[1]},
            row.key[0],
        )

    def _hidden(self, owners: dict[tuple[str, str], set[int]]) -> set[int]:
        """Of the customers the batch's identifiers belong to, those the importer cannot
        see: one query, none for a user who sees every customer."""
        by = self.plan.by
        ids = {c for holders in owners.values() for c in holders}
        if not ids or by is None or by.sees_all_customers:
            return set()
        return ids - set(customers_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))

    def _merged(self, row: Row, existing: Customer) -> Merged:
        """Rebuild the row over the existing customer's values: what it becomes."""
        values = row.values

        def pick(target: str, current: str) -> str:
            return values[target][0] if values.get(target) and values[target][0] else current

        data = row_data(values, self.plan)
        data.kind = cell_word(pick("kind", ""), KIND_WORDS) or existing.kind
        data.status = cell_word(pick("status", ""), STATUS_WORDS) or existing.status
        data.first_name = pick("first_name", existing.first_name)
        data.last_name = pick("last_name", existing.last_name)
        data.legal_name = pick("legal_name", existing.legal_name)
        data.notes = pick("notes", existing.notes)
        data.birth_date = data.birth_date or existing.birth_date
        data.custom_fields = {**existing.custom_fields, **data.custom_fields}
        data.owner = data.team = None
        customer, identities, addresses = customer_build(
            data=data, by=None, definitions=self.plan.definitions, bulk=True
        )
        return Merged(customer, identities, addresses)

    @staticmethod
    def _person(row: Row) -> tuple[str, str, Any, str]:
        """(kind, folded name, birth date, postal code) of a row without identifier."""
        customer = row.fields[0]
        postal_code = next((a[_POSTAL_AT] for a in row.fields[2] if a[_POSTAL_AT]), "")
        return (
            customer[_CUSTOMER_AT["kind"]],
            customer[_CUSTOMER_AT["search_name"]],
            customer[_CUSTOMER_AT["birth_date"]],
            postal_code,
        )

    def _namesakes(self, rows: list[Row]) -> dict[tuple[str, str], list[tuple]]:
        """Customers the importer sees with the name of a row that has no identifier:
        (kind, folded name) → [(id, display name, birth date, postal codes)]. Two
        queries for the batch, none when every row has an identifier."""
        names = {self._person(r)[1] for r in rows}
        if not names:
            return {}
        by = self.plan.by
        customers = customers_visible_to(by) if by is not None else Customer.objects.all()
        found: dict[int, tuple] = {
            pk: (kind, name, shown, birth)
            for pk, kind, name, shown, birth in customers.filter(
                search_name__in=names, merged_into__isnull=True
            ).values_list("pk", "kind", "search_name", "display_name", "birth_date")
        }
        postal_codes: dict[int, set[str]] = defaultdict(set)
        if found:
            for customer_id, postal_code in Address.objects.filter(
                customer_id__in=list(found)
            ).values_list("customer_id", "postal_code"):
                if postal_code:
                    postal_codes[customer_id].add(postal_code)
        namesakes: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        for pk, (kind, name, shown, birth) in sorted(found.items()):
            namesakes[(kind, name)].append((pk, shown, birth, postal_codes[pk]))
        return namesakes

    def _match_by_name(self, row: Row, namesakes: dict[tuple[str, str], list[tuple]]) -> int | None:
        """The customer a row without identifier updates, or None to create it; a
        possible duplicate is rejected here (and None returned with ``row`` rejected)."""
        kind, name, birth, postal_code = person = self._person(row)
        seen_key = ("name", repr(person))
        if seen_key in self.plan.seen:
            self.reject(
                row.number,
                row.cells,
                _("Row %(n)s of this file is the same customer: same name, and no identifier.")
                % {"n": self.plan.seen[seen_key]},
            )
            return -1
        self.plan.seen[seen_key] = row.number
        alike = [
            (pk, shown)
            for pk, shown, their_birth, their_codes in namesakes.get((kind, name), [])
            if not (birth and their_birth and birth != their_birth)
            and not (postal_code and their_codes and postal_code not in their_codes)
        ]
        same = [
            pk
            for pk, _shown, their_birth, their_codes in namesakes.get((kind, name), [])
            if birth and postal_code and their_birth == birth and postal_code in their_codes
        ]
        if len(same) == 1:
            return same[0]
        if alike:
            self.possible_duplicates += 1
            self.reject(
                row.number,
                row.cells,
                _(
                    "Possible duplicate of %(customers)s: same name, and nothing in the row "
                    "tells them apart. Not created: add an identifier (DNI, e-mail, phone…) "
                    "to the row, or create the customer by hand."
                )
                % {
                    "customers": ", ".join(
                        f"{shown} (#{pk})" for pk, shown in alike[:_SHOWN_NAMESAKES]
                    )
                    + ("…" if len(alike) > _SHOWN_NAMESAKES else "")
                },
            )
            return -1
        return None

    def _match(self) -> None:
        """Sort the rows into creates, updates and rejections (reads only)."""
        plan, owners = self.plan, self._owners()
        self.hidden = self._hidden(owners)
        namesakes = self._namesakes([r for r in self.rows if not r.key])
        creates: list[Row] = []
        updates: list[tuple[Row, int]] = []
        for row in self.rows:
            if not row.key:
                customer_id = self._match_by_name(row, namesakes)
                if customer_id is None:
                    creates.append(row)
                elif customer_id > 0:
                    if customer_id in plan.updated:
                        self.reject(
                            row.number,
                            row.cells,
                            _("Row %(n)s of this file already updates this customer.")
                            % {"n": plan.updated[customer_id]},
                        )
                        continue
                    plan.updated[customer_id] = row.number
                    updates.append((row, customer_id))
                continue
            if row.key in plan.seen:
                self.reject(
                    row.number,
                    row.cells,
                    _("Row %(n)s of this file is the same customer: same %(kind)s.")
                    % {"n": plan.seen[row.key], "kind": _KIND_LABELS.get(row.key[0], row.key[0])},
                    row.key[0],
                )
                continue
            if row.key:
                plan.seen[row.key] = row.number
            # Customers the importer cannot see do not exist for the import: a row
            # answers the same whether or not one of them holds its identifier (else a
            # file of DNIs would probe the whole CRM). Such a row makes a new customer,
            # and the duplicate scan shows the pair to whoever sees both.
            matches = owners.get(row.key, set()) - self.hidden
            if len(matches) > 1:
                self.reject(
                    row.number,
                    row.cells,
                    _(
                        "%(value)s belongs to several customers: "
                        "the row cannot tell which one to update."
                    )
                    % {"value": row.key[1]},
                    row.key[0],
                )
            elif matches:
                customer_id = next(iter(matches))
                if customer_id in plan.updated:
                    self.reject(
                        row.number,
                        row.cells,
                        _("Row %(n)s of this file already updates this customer.")
                        % {"n": plan.updated[customer_id]}
                        if plan.updated[customer_id]
                        # a resumed run knows the customer, not the row
                        else _("An earlier row of this file already updates this customer."),
                        row.key[0],
                    )
                    continue
                plan.updated[customer_id] = row.number
                updates.append((row, customer_id))
            else:
                creates.append(row)
        self.creates = creates
        self.updates = self._prepare_updates(updates) if updates else []

    def forecast(self) -> dict[int, str]:
        """What writing the batch would do to each of its rows, by row number: "create",
        "update", "unchanged" or "reject" (reads only: the dry run and the wizard's
        preview). The rows go through the same checks and matching as ``write``."""
        self._match()
        outcome = {error.row_number: "reject" for error in self.errors}
        outcome.update((row.number, "create") for row in self.creates)
        for merged, customer_id in self.updates:
            number = self.plan.updated.get(customer_id, 0)
            outcome[number] = "update" if self._changes(merged, customer_id) else "unchanged"
        # A row _prepare_updates refused was added to the errors after the rows above.
        outcome.update((error.row_number, "reject") for error in self.errors)
        return outcome

    def _changes(self, merged: Merged, customer_id: int) -> bool:
        """Whether ``merged`` changes the customer: a field, or an identifier or address
        it lacks (what ``_update`` writes and counts as updated)."""
        if snapshot_of(merged.customer) != snapshot_of(self.existing[customer_id]):
            return True
        known = self.known_addresses[customer_id]
        return any(
            (customer_id, i.kind, i.value) not in self.known_identities for i in merged.identities
        ) or any((a.line1.lower(), a.postal_code) not in known for a in merged.addresses)

    def _prepare_updates(self, updates: list[tuple[Row, int]]) -> list[tuple[Merged, int]]:
        visible = {customer_id for _row, customer_id in updates} - self.hidden
        self.existing = Customer.objects.in_bulk(visible)
        self.known_identities = set(
            Identity.objects.filter(customer_id__in=visible).values_list(
                "customer_id", "kind", "value"
            )
        )
        self.known_addresses: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for customer_id, line1, postal_code in Address.objects.filter(
            customer_id__in=visible
        ).values_list("customer_id", "line1", "postal_code"):
            self.known_addresses[customer_id].add((line1.lower(), postal_code))
        ready = []
        for row, customer_id in updates:
            if customer_id not in self.existing:  # deleted since it was matched
                self._reject_taken(row)
                continue
            try:
                ready.append((self._merged(row, self.existing[customer_id]), customer_id))
            except ValidationFailed as exc:
                self.reject(row.number, row.cells, exc)
        return ready
