"""Normalisation and validation of everything that identifies a customer.

The same functions serve the forms, the API, the import and ``identify``: a value is
stored in the form they return, and a value typed by a user is looked up in that form.
"""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.es import cif, dni, nie

from panorama.core.exceptions import ValidationFailed

from .models import Identity

Kind = Identity.Kind
_SEPARATORS = re.compile(r"[\s.\-/]+")
_CARD = re.compile(r"^[0-9]{6,24}$")


def _strip_accents(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


# Latin letters with accents (Latin-1 and Latin Extended-A: á, ñ, ç, ü, ł...) mapped to
# what the full decomposition below gives them, so most names skip it.
_LATIN = str.maketrans(
    {
        chr(code): bare
        for code in range(0xC0, 0x180)
        if (bare := _strip_accents(chr(code))).isascii() and bare != chr(code)
    }
)


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed: the key for name search and sorting."""
    quick = (text or "").translate(_LATIN)
    if quick.isascii():  # nearly every name: nothing left to decompose
        return " ".join(quick.lower().split())
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def normalise_national_id(raw: str) -> str:
    """A Spanish DNI, NIE or CIF in canonical form, check character verified."""
    value = _SEPARATORS.sub("", raw or "").upper()
    if not value:
        raise ValidationFailed(_("The national ID is empty."), field="national_id")
    for module in (dni, nie, cif):
        try:
            return module.validate(value)
        except stdnum_errors.InvalidChecksum:
            raise ValidationFailed(
                _("%(value)s is not a valid DNI/NIE/CIF: its check letter or digit is wrong.")
                % {"value": raw.strip()},
                field="national_id",
            ) from None
        except stdnum_errors.ValidationError:
            continue
    raise ValidationFailed(
        _("%(value)s is not a Spanish DNI, NIE or CIF.") % {"value": raw.strip()},
        field="national_id",
    )


def normalise_phone(raw: str, region: str | None = None) -> str:
    """E.164 (``+34600112233``); numbers without a prefix are read in the default region."""
    region = region or settings.PANORAMA_DEFAULT_REGION
    try:
        number = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(
            _("%(value)s is not a valid phone number.") % {"value": (raw or "").strip()},
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _eager(pattern) -> re.Pattern:
    return re.compile(pattern.pattern, pattern.flags)


# Django's e-mail rules, with its patterns compiled now rather than behind the lazy
# wrapper that costs two attribute look-ups per use (a third of the check in an import).
validate_email = EmailValidator()
validate_email.user_regex = _eager(EmailValidator.user_regex)
validate_email.domain_regex = _eager(EmailValidator.domain_regex)
validate_email.literal_regex = _eager(EmailValidator.literal_regex)


def normalise_email(raw: str) -> str:
    value = (raw or "").strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationFailed(
            _("%(value)s is not a valid e-mail address.") % {"value": (raw or "").strip()},
            field="email",
        ) from None
    return value


def normalise_card(raw: str) -> str:
    value = _SEPARATORS.sub("", raw or "")
    if not _CARD.match(value):
        raise ValidationFailed(_("A loyalty card number has 6 to 24 digits."), field="loyalty_card")
    return value


def normalise_token(raw: str, field: str) -> str:
    value = (raw or "").strip()
    if not value or len(value) > 255 or any(ch.isspace() for ch in value):
        raise ValidationFailed(
            _("%(value)s is not a valid identifier.") % {"value": value[:40]}, field=field
        )
    return value


def normalise(kind: str, raw: str) -> str:
    """The stored form of ``raw`` as an identity of ``kind``; raises ValidationFailed."""
    if kind == Kind.NATIONAL_ID:
        return normalise_national_id(raw)
    if kind == Kind.PHONE:
        return normalise_phone(raw)
    if kind == Kind.EMAIL:
        return normalise_email(raw)
    if kind == Kind.LOYALTY_CARD:
        return normalise_card(raw)
    if kind in (Kind.COOKIE, Kind.EXTERNAL):
        return normalise_token(raw, kind)
    if kind == Kind.PIN:
        raise ValidationFailed(_("A PIN is verified, not looked up."), field="kind")
    raise ValidationFailed(_("Unknown identity type %(kind)s.") % {"kind": kind}, field="type")


LOOKUP_KINDS = [k for k in Kind.values if k != Kind.PIN]


def text_refuse_nul(text: str | None, field: str) -> None:
    """NUL is no character anyone types, and PostgreSQL cannot even compare it."""
    if text and "\x00" in text:
        raise ValidationFailed(_("The text contains a character that is not allowed."), field=field)


def candidates(raw: str, kind: str | None = None) -> list[tuple[str, str]]:
    """Every (kind, normalised value) that ``raw`` could be, for ``identify``.

    With ``kind`` the value must be valid for it (else ValidationFailed); without it,
    each kind it parses as is a candidate: ``600112233`` is a phone and also a card.
    """
    text_refuse_nul(raw, "value")
    if kind:
        return [(kind, normalise(kind, raw))]
    found: list[tuple[str, str]] = []
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed(_("Type something to identify."), field="value")
    for candidate_kind in LOOKUP_KINDS:
        if candidate_kind == Kind.PHONE and not re.search(r"\d{6}", _SEPARATORS.sub("", text)):
            continue
        if candidate_kind == Kind.EMAIL and "@" not in text:
            continue
        try:
            found.append((candidate_kind, normalise(candidate_kind, text)))
        except ValidationFailed:
            continue
    return found
