"""The column mapping of an import: the customer fields a column may feed, the headers
each is known by (Spanish or English), the guess from a file's header and the check of a
mapping a user reviewed."""

import re
from collections.abc import Collection

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed
from panorama.customers import identifiers
from panorama.customers.models import CustomFieldDefinition

# Target fields of a column, in the order the wizard lists them.
NAME_FIELDS = ["first_name", "last_name", "legal_name"]
IDENTITY_FIELDS = ["national_id", "external_id", "email", "phone", "loyalty_card"]
ADDRESS_FIELDS = ["address", "postal_code", "city", "region", "country"]
TARGETS = [*NAME_FIELDS, "kind", *IDENTITY_FIELDS, *ADDRESS_FIELDS, "birth_date", "status", "notes"]
# Several columns may feed these (a landline and a mobile are both phones).
MULTI_TARGETS = {"phone", "email"}

_ALIASES = {
    "first_name": ["nombre", "first name", "firstname", "given name", "name", "nom"],
    "last_name": ["apellidos", "apellido", "last name", "lastname", "surname", "family name"],
    "legal_name": [
        "razon social",
        "legal name",
        "company",
        "company name",
        "empresa",
        "denominacion",
        "organisation",
        "organization",
        "organizacion",
    ],
    "kind": ["tipo", "kind", "type", "tipo de cliente", "customer type", "tipo cliente"],
    "national_id": [
        "dni",
        "nif",
        "nie",
        "cif",
        "dni nif",
        "dni nie",
        "nif cif",
        "dni nie cif",
        "national id",
        "documento",
        "tax id",
        "id number",
    ],
    "phone": [
        "telefono",
        "movil",
        "phone",
        "mobile",
        "tel",
        "telefono movil",
        "celular",
        "phone number",
        "mobile phone",
        "telefono fijo",
    ],
    "email": [
        "email",
        "e mail",
        "correo",
        "correo electronico",
        "mail",
        "email address",
        "e mail address",
        "direccion de correo",
        "direccion de email",
        "direccion de correo electronico",
    ],
    "loyalty_card": [
        "tarjeta",
        "loyalty card",
        "tarjeta de fidelizacion",
        "tarjeta cliente",
        "card",
    ],
    "external_id": [
        "id externo",
        "external id",
        "codigo cliente",
        "codigo de cliente",
        "customer id",
        "erp id",
        "id erp",
    ],
    "address": ["direccion", "address", "domicilio", "calle", "address line", "line1"],
    "postal_code": ["codigo postal", "cp", "postal code", "zip", "zip code", "postcode"],
    "city": ["ciudad", "city", "localidad", "poblacion", "municipio", "town"],
    "region": ["provincia", "region", "state", "comunidad autonoma"],
    "country": ["pais", "country"],
    "birth_date": [
        "fecha de nacimiento",
        "fecha nacimiento",
        "birth date",
        "birthdate",
        "date of birth",
        "dob",
        "nacimiento",
    ],
    "status": ["estado", "status"],
    "notes": ["notas", "notes", "observaciones", "comentarios", "comments"],
}


def _key(text: str) -> str:
    """A header folded for comparison: lower case, no accents, punctuation as spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", identifiers.fold(str(text))).split())


def alias_index(aliases: dict[str, list[str]], targets: list[str]) -> dict[str, str]:
    """Folded header → target, for each alias of a target and each target's own name."""
    index = {_key(alias): target for target, names in aliases.items() for alias in names}
    index.update({_key(target): target for target in targets})
    return index


ALIAS_INDEX = alias_index(_ALIASES, TARGETS)


def target_labels() -> dict[str, str]:
    """Human names of the targets, for the wizard and error messages."""
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "legal_name": _("Legal name"),
        "kind": _("Kind (person / organisation)"),
        "national_id": _("DNI / NIE / CIF"),
        "external_id": _("External ID"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "loyalty_card": _("Loyalty card"),
        "address": _("Address"),
        "postal_code": _("Postal code"),
        "city": _("City"),
        "region": _("Province / region"),
        "country": _("Country"),
        "birth_date": _("Birth date"),
        "status": _("Status"),
        "notes": _("Notes"),
    }


def definitions_by_key() -> dict[str, CustomFieldDefinition]:
    """The active custom fields (an inactive one is no column to import into)."""
    return {d.key: d for d in CustomFieldDefinition.objects.filter(active=True)}


def mapping_guess(
    headers: list[str], definitions: dict[str, CustomFieldDefinition]
) -> dict[str, str]:
    """The target of each column, by its header in Spanish or English ("" = ignored)."""
    custom = {}
    for key, definition in definitions.items():
        custom[_key(key)] = f"cf:{key}"
        custom[_key(f"cf {key}")] = f"cf:{key}"
        custom[_key(definition.label)] = f"cf:{key}"
    return headers_guess(headers, {**custom, **ALIAS_INDEX}, multi=MULTI_TARGETS)


def headers_guess(
    headers: list[str], index: dict[str, str], *, multi: Collection[str] = ()
) -> dict[str, str]:
    """The target of each column, its folded header looked up in ``index`` ("" =
    ignored); a target not in ``multi`` goes to its first column only."""
    guessed: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        if not header or header in guessed:
            continue
        target = index.get(_key(header), "")
        if target and target in used and target not in multi:
            target = ""
        guessed[header] = target
        used.add(target)
    return guessed


def mapping_resolve(
    *,
    headers: list[str],
    mapping: dict[str, str] | None,
    definitions: dict[str, CustomFieldDefinition],
) -> dict[str, str]:
    """The guessed mapping overridden by ``mapping``; checked and complete, or an error."""
    result = mapping_guess(headers, definitions)
    if mapping:
        if not isinstance(mapping, dict):
            raise ValidationFailed(
                _("The mapping is a JSON object: column → field."), field="mapping"
            )
        unknown = [c for c in mapping if c not in result]
        if unknown:
            raise ValidationFailed(
                _("The mapping names columns the file does not have: %(cols)s.")
                % {"cols": ", ".join(map(str, unknown))},
                field="mapping",
            )
        for column, target in mapping.items():
            result[column] = (target or "").strip() if isinstance(target, str) else ""
    used: dict[str, str] = {}
    for column, target in result.items():
        if not target:
            continue
        if target.startswith("cf:"):
            if target[3:] not in definitions:
                if CustomFieldDefinition.objects.filter(key=target[3:], active=False).exists():
                    raise ValidationFailed(
                        _("Column %(col)s is mapped to the inactive custom field %(key)s.")
                        % {"col": column, "key": target[3:]},
                        field="mapping",
                    )
                raise ValidationFailed(
                    _("Column %(col)s is mapped to an unknown custom field %(key)s.")
                    % {"col": column, "key": target[3:]},
                    field="mapping",
                )
        elif target not in TARGETS:
            raise ValidationFailed(
                _("Column %(col)s is mapped to %(target)s, which is not a customer field.")
                % {"col": column, "target": target},
                field="mapping",
            )
        if target in used and target not in MULTI_TARGETS:
            raise ValidationFailed(
                _("Columns %(a)s and %(b)s are both mapped to %(target)s.")
                % {"a": used[target], "b": column, "target": target},
                field="mapping",
            )
        used.setdefault(target, column)
    labels = target_labels()
    if not any(t in used for t in NAME_FIELDS):
        raise ValidationFailed(
            _("No column gives the customer's name: map a column to %(fields)s.")
            % {"fields": ", ".join(str(labels[f]) for f in NAME_FIELDS)},
            field="mapping",
        )
    if not any(t in used for t in IDENTITY_FIELDS):
        raise ValidationFailed(
            _("No column identifies the customer: map at least one column to %(fields)s.")
            % {"fields": ", ".join(str(labels[f]) for f in IDENTITY_FIELDS)},
            field="mapping",
        )
    return result
