"""Reading and validating import rows: everything before the database.

``row_check`` turns a row's cells into what ``customer_build`` (the validation of
``customer_create``) makes of them, as plain column values, or into a rejection. It
needs no database, so a large import runs it in a helper process (``importing``)
while the batch before is written (``import_rows``).
"""

import operator
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.core.bulk import model_attnames
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Address, Customer, CustomFieldDefinition, Identity
from panorama.customers.services.custom_fields import custom_field_clean
from panorama.customers.services.customer import (
    AddressData,
    CustomerData,
    IdentityData,
    address_build,
    customer_build,
    identity_build,
)

from .mapping import IDENTITY_FIELDS
from .values import KIND_WORDS, STATUS_WORDS, cell_date, cell_number, cell_word

LOOKUP_ORDER = IDENTITY_FIELDS  # national_id, external_id, email, phone, loyalty_card
# A cell the rejected-rows report defused (``'=…``, ``'+…``) reads as it was typed, so
# the report can be fixed and imported again.
_DEFUSED = frozenset("=+-@\t\r")
# Valid values put in place of a faulty one, so the next problem of a row shows too.
_STAND_INS = {
    "kind": Customer.Kind.PERSON,
    "status": Customer.Status.ACTIVE,
    "first_name": "-",
    "last_name": "-",
    "legal_name": "-",
    "notes": "",
    "language": "",
}


@dataclass
class Plan:
    """What a run needs to turn a list of cells into a customer, computed once per job."""

    columns: list[tuple[int, str, str]]  # (index in the row, header, target)
    headers: list[tuple[int, str]]
    definitions: dict[str, CustomFieldDefinition]
    by: User | None
    team: Team | None
    seen: dict[tuple[str, str], int] = field(default_factory=dict)  # identifier → row
    updated: dict[int, int] = field(default_factory=dict)  # customer id → row
    errors_kept: int = 0  # rejected rows stored so far (past the cap, only counted)
    width: int = 0  # columns of the header: what a rejected row keeps of its cells

    @cached_property
    def custom(self) -> list[tuple[str, str]]:
        """(target, custom field key) of the columns mapped to custom fields."""
        return [
            (t, t[3:])
            for t in dict.fromkeys(t for _i, _h, t in self.columns)
            if t.startswith("cf:")
        ]

    @cached_property
    def decimals(self) -> frozenset[str]:
        """Keys of the decimal custom fields: their cells may have a decimal comma."""
        return frozenset(
            key
            for key, d in self.definitions.items()
            if d.type == CustomFieldDefinition.Type.DECIMAL
        )

    @cached_property
    def column_of(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for _index, header, target in self.columns:
            found.setdefault(target[3:] if target.startswith("cf:") else target, header)
        found.setdefault("line1", found.get("address", ""))
        return found


def plan_make(*, headers: list[str], mapping: dict[str, str], definitions, by) -> Plan:
    columns, taken = [], set()
    for index, header in enumerate(headers):
        target = mapping.get(header, "")
        if header and header not in taken and target:
            columns.append((index, header, target))
        taken.add(header)
    team = by.teams.order_by("id").first() if by is not None else None
    return Plan(
        columns=columns,
        headers=[(i, h) for i, h in enumerate(headers) if h],
        width=len(headers),
        definitions=definitions,
        by=by,
        team=team,
    )


_BLANK = [""]  # a target the row lacks (shared, never changed)


def row_data(values: dict[str, list[str]], plan: Plan) -> CustomerData:
    """The CustomerData a row describes (only parsing here; validation is customer_build's)."""
    get = values.get
    first, last = get("first_name", _BLANK)[0], get("last_name", _BLANK)[0]
    legal, kind, status = (
        get("legal_name", _BLANK)[0],
        get("kind", _BLANK)[0],
        get("status", _BLANK)[0],
    )
    if kind:
        kind = cell_word(kind, KIND_WORDS)
    else:
        kind = Customer.Kind.ORGANISATION if legal and not (first or last) else Customer.Kind.PERSON
    identities = []
    for target in LOOKUP_ORDER:
        cells = get(target)
        if cells:
            identities += [
                IdentityData(kind=target, value=value, is_primary=position == 0)
                for position, value in enumerate(v for v in cells if v)
            ]
    addresses = []
    line1 = get("address", _BLANK)[0]
    postal_code, city = get("postal_code", _BLANK)[0], get("city", _BLANK)[0]
    region, country = get("region", _BLANK)[0], get("country", _BLANK)[0]
    # A country alone (a column many exports fill on every row) is not an address.
    if line1 or postal_code or city or region:
        addresses.append(
            AddressData(
                line1=line1,
                postal_code=postal_code,
                city=city,
                region=region,
                country=country or "ES",
                is_primary=True,
            )
        )
    return CustomerData(
        kind=kind,
        status=cell_word(status, STATUS_WORDS) if status else Customer.Status.ACTIVE,
        first_name=first,
        last_name=last,
        legal_name=legal,
        birth_date=cell_date(get("birth_date", _BLANK)[0]),
        notes=get("notes", _BLANK)[0],
        owner=plan.by,
        team=plan.team,
        custom_fields={
            key: cell_number(cells[0]) if key in plan.decimals else cells[0]
            for target, key in plan.custom
            if (cells := get(target)) and cells[0]
        },
        identities=identities,
        addresses=addresses,
    )


def row_check(plan: Plan, number: int, cells: list[str]) -> tuple:
    """Read and validate one row; needs no database, so it may run in a helper process.

    Returns ``(number, cells, values, key, fields)``: ``fields`` holds the customer's,
    identities' and addresses' column values (plain tuples, cheap to send between
    processes), or for a rejected row ``values`` is None and ``fields`` lists every
    problem of the row as ``(field, message)`` pairs.
    """
    values: dict[str, list[str]] = defaultdict(list)
    width = len(cells)
    for index, _header, target in plan.columns:
        value = cells[index].strip() if index < width else ""
        if value[:1] == "'" and value[1:2] in _DEFUSED:
            value = value[1:]
        values[target].append(value)
    try:
        data = row_data(values, plan)
        customer, identities, addresses = customer_build(
            data=data, by=None, definitions=plan.definitions, bulk=True
        )
    except ValidationFailed as exc:
        # The fast path stops at the first problem; a rejected row is checked again,
        # part by part, so the report lists all of them at once.
        return number, cells, None, None, row_problems(values, plan) or _problems_of(exc)
    key = next(((i.kind, i.value) for i in identities if i.kind in LOOKUP_ORDER), None)
    fields = (
        _fields_of(Customer)(customer.__dict__),
        [_fields_of(Identity)(i.__dict__) for i in identities],
        [_fields_of(Address)(a.__dict__) for a in addresses],
    )
    return number, cells, dict(values), key, fields


def _problems_of(exc: ValidationFailed) -> list[tuple[str, str]]:
    """Every (field, message) an error carries (a validation may report several)."""
    many = [(f, str(m)) for f, messages in (exc.errors or {}).items() for m in messages]
    return many if len(many) > 1 else [(exc.field or "", str(exc.message))]


def row_problems(values: dict[str, list[str]], plan: Plan) -> list[tuple[str, str]]:
    """Every problem of a row, each part validated on its own with the validation of
    ``customer_build``: the date, the kind, status and names, each custom field, each
    identifier and the address."""
    problems: list[tuple[str, str]] = []

    def attempt(check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationFailed as exc:
            problems.extend(_problems_of(exc))
            return None

    attempt(cell_date, values.get("birth_date", _BLANK)[0])
    data = row_data({k: v for k, v in values.items() if k != "birth_date"}, plan)
    customer = None
    for _attempt in range(len(_STAND_INS) + 1):
        # The customer's own fields stop at their first problem: put a valid stand-in in
        # the field at fault and check again, until they pass.
        bare = replace(data, identities=[], addresses=[], custom_fields={})
        try:
            customer, _i, _a = customer_build(data=bare, by=None, definitions={})
            break
        except ValidationFailed as exc:
            found = _problems_of(exc)
            problems.extend(found)
            fixed = False
            for name, _message in found:
                if name in _STAND_INS and getattr(data, name) != _STAND_INS[name]:
                    setattr(data, name, _STAND_INS[name])
                    fixed = True
            if not fixed:
                break
    for key, definition in plan.definitions.items():
        attempt(custom_field_clean, definition, data.custom_fields.get(key))
    customer = customer or Customer()
    seen: set[tuple[str, str]] = set()
    for item in data.identities:
        identity = attempt(identity_build, customer=customer, item=item)
        if identity is not None:
            if (identity.kind, identity.value) in seen:
                problems.append(
                    (identity.kind, _("%(value)s is given twice.") % {"value": identity.value})
                )
            seen.add((identity.kind, identity.value))
    for place in data.addresses:
        attempt(address_build, customer=customer, item=place)
    return problems


def rows_check(plan: Plan, rows: list[tuple[int, list[str]]]) -> list[tuple]:
    return [row_check(plan, number, cells) for number, cells in rows]


_getters: dict[type, Any] = {}


def _fields_of(model: type) -> Any:
    getter = _getters.get(model)
    if getter is None:
        getter = _getters[model] = operator.itemgetter(*model_attnames(model))
    return getter
