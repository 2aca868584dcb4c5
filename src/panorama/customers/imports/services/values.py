"""How the cells of an import read: dates as people write them, kinds and statuses in
Spanish or English words."""

import datetime
import re

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

KIND_WORDS = {
    "person": "person",
    "persona": "person",
    "particular": "person",
    "p": "person",
    "persona fisica": "person",
    "fisica": "person",
    "individual": "person",
    "organisation": "organisation",
    "organization": "organisation",
    "empresa": "organisation",
    "organizacion": "organisation",
    "company": "organisation",
    "o": "organisation",
    "persona juridica": "organisation",
    "juridica": "organisation",
    "e": "organisation",
}
STATUS_WORDS = {
    "activo": "active",
    "activa": "active",
    "inactivo": "inactive",
    "inactiva": "inactive",
    "baja": "inactive",
    "prospecto": "prospect",
    "potencial": "prospect",
    "lead": "prospect",
}
_THOUSANDS_DOTS = re.compile(r"^[-+]?\d{1,3}(\.\d{3}){2,}$")  # 1.234.567
_THOUSANDS_COMMAS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.5
_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def cell_date(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        match = _DATE_DMY.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationFailed(
            _("%(value)s is not a date: write it as YYYY-MM-DD or DD/MM/YYYY.") % {"value": text},
            field="birth_date",
        ) from None


def cell_word(text: str, words: dict[str, str]) -> str:
    folded = " ".join(text.strip().lower().replace("í", "i").replace("ó", "o").split())
    return words.get(folded, folded)


def cell_number(text: str) -> str:
    """A decimal cell as the form field reads it (a dot, no thousands separator), from
    the way Spanish and English files write it: ``1.234,56``, ``12,5``, ``1,234.56``,
    ``1234.56``. A lone comma is a decimal comma (Spanish files, Excel in Spanish); a
    comma followed by groups of three and a dot is English thousands. Anything else is
    left as it was, for the field's own validation to refuse."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in value and "." in value:
        if value.rindex(",") > value.rindex("."):  # 1.234,56
            return value.replace(".", "").replace(",", ".")
        if _THOUSANDS_COMMAS.match(value):  # 1,234.56
            return value.replace(",", "")
        return text
    if "," in value:
        if value.count(",") == 1:  # 12,5
            return value.replace(",", ".")
        return value.replace(",", "") if _THOUSANDS_COMMAS.match(value) else text
    if _THOUSANDS_DOTS.match(value):
        return value.replace(".", "")
    return value
