"""Identifiers of generated customers: valid, unique, never a real person's."""

import re

from stdnum.es import cif

from panorama.customers.identifiers import fold

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved: never delivered
# Values of the showcase customer: generated customers never get them.
RESERVED_DNI = 12345678
RESERVED_MOBILE = 112233  # +34 600 112 233 -> 6 + "00112233"

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
NO_DATA: dict = {}  # shared on purpose: the writer encodes a constant dict once


def dni(number: int) -> str:
    return f"{number:08d}{DNI_LETTERS[number % 23]}"


def nie(prefix: int, number: int) -> str:
    return f"{'XYZ'[prefix]}{number:07d}{DNI_LETTERS[(prefix * 10_000_000 + number) % 23]}"


def cif_for(letter: str, number: int) -> str:
    body = f"{letter}{number:07d}"
    return body + cif.calc_check_digits(body)[0]


def slug(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))
