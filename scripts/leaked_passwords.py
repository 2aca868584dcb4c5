"""Write src/panorama/accounts/data/leaked-passwords.txt.gz, the local list that
``accounts.validators.LeakedPasswordValidator`` refuses (no network is ever asked).

A 12-character minimum pushes people from a leaked password to the same one with digits,
a year or a "!" appended, and attackers try exactly those first. So the list is: the
commonest leaked passwords (Django's common-password list, itself taken from breach
corpora) and common Spanish words and names, each with the endings people add, plus
keyboard walks; only candidates of 12+ characters are kept (shorter ones are refused
by the length rule already). Deterministic: the same file on every run.

    .venv/bin/python scripts/leaked_passwords.py
"""

import gzip
import io
import itertools
from pathlib import Path

import django.contrib.auth.password_validation as django_validation

TARGET = Path(__file__).resolve().parent.parent / "src/panorama/accounts/data"
MIN_LENGTH = 12
BASE_WORDS = 2000  # the commonest alphabetic leaked passwords taken as stems

SPANISH_TEXT = """
contraseña contrasena clave password secreto acceso entrar usuario administrador admin
bienvenido bienvenida hola holamundo teamo tequiero amor amorcito miamor princesa
cariño carino corazon corazón mariposa estrella chocolate familia amigos futbol fútbol
barcelona realmadrid madrid atletico atleti sevilla betis valencia bilbao athletic
españa espana mexico argentina colombia andalucia cataluña catalunya galicia
primavera verano otoño otono invierno enero febrero marzo abril mayo junio julio
agosto septiembre octubre noviembre diciembre lunes martes viernes domingo
maria mariajose josemaria antonio manuel francisco david javier daniel carlos jesus
alejandro miguel pablo sergio lucia laura carmen ana isabel cristina marta elena
panorama crm empresa oficina banco cliente clientes ventas comercial soporte
"""
SPANISH = SPANISH_TEXT.split()

KEYBOARD_TEXT = """
qwertyuiop qwertyuiopasdf asdfghjkl asdfghjklñ zxcvbnm qazwsxedc qazwsxedcrfv
1qaz2wsx3edc 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1qazxsw2 zaq12wsx zaq1xsw2cde3 q1w2e3r4t5y6
123qweasdzxc qweasdzxc qweasd 1234qwer 123qwe 12qwaszx poiuytrewq mnbvcxz
"""
KEYBOARD_WALKS = KEYBOARD_TEXT.split()

NUMBERS = [
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456123456",
    "123123123123",
    "111111111111",
    "000000000000",
    "112233445566",
    "121212121212",
    "987654321098",
    "123456654321",
]

ENDINGS = (
    ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "!", "1!"]
    + ["123!", "1234!", "01", "007", "69", "99", "00", "2000", "*", ".", "@", "#"]
    + [str(year) for year in range(1960, 2031)]
    + [f"{year}!" for year in range(2015, 2031)]
    + [f"@{year}" for year in range(2020, 2031)]
)


def leaked_stems() -> list[str]:
    path = Path(django_validation.__file__).parent / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as listing:
        words = listing.read().split()
    stems = [w for w in words if w.isalpha() and w.isascii() and 4 <= len(w) < MIN_LENGTH]
    return stems[:BASE_WORDS]


def candidates() -> set[str]:
    stems = leaked_stems() + SPANISH + KEYBOARD_WALKS
    found = {stem + ending for stem, ending in itertools.product(stems, ENDINGS)}
    found |= {stem + stem for stem in stems}  # "holahola..." doubled words
    found |= {walk + walk[:4] for walk in KEYBOARD_WALKS}
    found |= set(NUMBERS)
    return {word.lower() for word in found if len(word) >= MIN_LENGTH}


def main() -> None:
    words = sorted(candidates())
    TARGET.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        out.write(("\n".join(words) + "\n").encode())
    (TARGET / "leaked-passwords.txt.gz").write_bytes(buffer.getvalue())
    print(f"{len(words)} passwords, {len(buffer.getvalue()) // 1024} KiB")


if __name__ == "__main__":
    main()
