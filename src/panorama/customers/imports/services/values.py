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
