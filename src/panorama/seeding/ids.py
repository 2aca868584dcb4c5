"""Identifiers of generated customers: valid, unique, never a real person's."""

import re

from stdnum.es import cif
from stdnum.es import dni as stdnum_dni
from stdnum.es import nie as stdnum_nie

from panorama.customers.identifiers import fold

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved: never delivered
# Values of the showcase customer: generated customers never get them.
RESERVED_DNI = 12345678
RESERVED_MOBILE = 112233  # +34 600 112 233 -> 6 + "00112233"

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
NO_DATA: dict = {}  # shared on purpose: the writer encodes a constant dict once


def dni(number: int) -> str:
    body = f"{number:08d}"
    return body + stdnum_dni.calc_check_digit(body)


def nie(prefix: int, number: int) -> str:
    body = f"{'XYZ'[prefix]}{number:07d}"
    return body + stdnum_nie.calc_check_digit(body)


def cif_for(letter: str, number: int) -> str:
    body = f"{letter}{number:07d}"
    return body + cif.calc_check_digits(body)[0]


def slug(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))
