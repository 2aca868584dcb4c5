import pytest

from panorama.core.exceptions import ValidationFailed
from panorama.customers import identifiers


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12345678Z", "12345678Z"),
        ("12.345.678-z", "12345678Z"),
        (" x1234567l ", "X1234567L"),
        ("B58378431", "B58378431"),
    ],
)
def test_national_ids_are_normalised(raw, expected):
    assert identifiers.normalise_national_id(raw) == expected


def test_wrong_check_letter_is_named_as_such():
    with pytest.raises(ValidationFailed) as exc:
        identifiers.normalise_national_id("12345678A")
    assert exc.value.field == "national_id"
    assert "check letter" in str(exc.value.message)


@pytest.mark.parametrize("raw", ["+34 600 11 22 33", "600112233", "600-11-22-33", "0034600112233"])
def test_phones_in_usual_formats_become_e164(raw):
    assert identifiers.normalise_phone(raw) == "+34600112233"


@pytest.mark.parametrize("raw", ["12", "not a phone", "+34 123"])
def test_unparseable_phones_are_rejected(raw):
    with pytest.raises(ValidationFailed) as exc:
        identifiers.normalise_phone(raw)
    assert exc.value.field == "phone"


def test_email_is_trimmed_and_lowercased_and_validated():
    assert identifiers.normalise_email(" Ana@Example.com ") == "ana@example.com"
    with pytest.raises(ValidationFailed):
        identifiers.normalise_email("ana@@example")


def test_a_bare_number_is_several_candidates():
    kinds = dict(identifiers.candidates("600112233"))
    assert kinds["phone"] == "+34600112233"
    assert kinds["loyalty_card"] == "600112233"


def test_fold_removes_accents_and_case():
    assert identifiers.fold("  José  MARÍA Núñez ") == "jose maria nunez"
