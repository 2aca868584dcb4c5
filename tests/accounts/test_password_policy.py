"""The password policy every new password meets: 12+ characters, not only digits, not a
common password, not one from the local list of leaked passwords (no network)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def refusal(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


def test_a_long_unusual_password_is_accepted():
    assert refusal("tejado-azul-bajo-la-lluvia") == []
    assert refusal("k7#Lm2qZ!x9p") == []  # exactly 12


def test_fewer_than_twelve_characters_are_refused():
    assert refusal("k7#Lm2qZ!x9") == [
        "This password is too short. It must contain at least 12 characters."
    ]


def test_only_digits_are_refused():
    assert "This password is entirely numeric." in refusal("804219375561")


def test_a_common_password_is_refused():
    assert "This password is too common." in refusal("1qaz2wsx3edc")


@pytest.mark.parametrize(
    "password",
    ["Password1234", "Primavera2024!", "contraseña123", "Barcelona2025", "qwertyuiop123"],
)
def test_a_leaked_password_or_its_usual_endings_is_refused(password):
    assert "This password appears in a list of leaked passwords." in refusal(password)


def test_an_operator_list_replaces_the_shipped_one(settings, tmp_path):
    from django.contrib.auth.password_validation import get_default_password_validators

    listing = tmp_path / "breach.txt"
    listing.write_text("our-office-wifi-2025\n")
    settings.PANORAMA_LEAKED_PASSWORDS_FILE = str(listing)
    get_default_password_validators.cache_clear()
    try:
        assert refusal("Our-Office-Wifi-2025") == [
            "This password appears in a list of leaked passwords."
        ]
        assert refusal("Primavera2024!") == []  # the shipped list is not read then
    finally:
        get_default_password_validators.cache_clear()


def test_a_password_like_the_username_is_refused():
    user = UserFactory(username="lucia.fernandez", email="lucia.fernandez@example.com")
    assert refusal("lucia.fernandez", user) == ["The password is too similar to the username."]


def test_the_refusals_are_in_spanish():
    with translation.override("es"):
        assert refusal("corta") == [
            "La contraseña es demasiado corta. Debe contener por lo menos 12 caracteres.",
        ]
        assert refusal("804219375561") == ["Esta contraseña es completamente numérica."]
        assert "Esta contraseña es demasiado común." in refusal("1qaz2wsx3edc")
        assert refusal("Primavera2024!") == [
            "Esta contraseña aparece en una lista de contraseñas filtradas."
        ]
