"""The 400/403/404/500 pages look like the product, in the reader's language, and the
Django admin wears the same theme (issue 14, point 13)."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client(admin_user):
    """A client that gets Django's answer to an exception instead of the exception."""
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


@override_settings(ROOT_URLCONF="tests.core.urls_boom")
@pytest.mark.parametrize(
    "language, heading, action",
    [
        ("en", "Something went wrong", "Go to the start page"),
        ("es", "Algo ha ido mal", "Ir a la página de inicio"),
    ],
)
def test_a_server_error_is_a_styled_page_in_the_readers_language(
    quiet_client, language, heading, action
):
    response = quiet_client.get("/boom/", headers={"Accept-Language": language})

    assert response.status_code == 500
    html = response.content.decode()
    assert heading in html and action in html
    assert f'<html lang="{language}">' in html
    assert "panorama/panorama.css" in html  # the product's tokens, not Django's bare text
    assert "the disk is on fire" not in html  # nothing of the internals leaks
    assert "http://" not in html and "https://" not in html


def test_an_unknown_address_is_a_404_page_with_the_shell_and_a_way_on(quiet_client):
    response = quiet_client.get("/no/such/page/", headers={"Accept-Language": "es"})

    assert response.status_code == 404
    html = response.content.decode()
    assert "No encontrado" in html and "Error 404" in html
    assert 'aria-label="Principal"' in html  # the sidebar is there: the user is not stranded
    assert 'href="/customers/"' in html


def test_the_admin_wears_panoramas_theme_and_links_back(quiet_client):
    response = quiet_client.get("/admin/", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "panorama/admin.css" in html and "panorama/admin-theme.js" in html
    assert "Panorama administration" in html and "Django administration" not in html
    assert "Back to Panorama" in html


def test_the_admin_in_spanish(quiet_client):
    html = quiet_client.get("/admin/", headers={"Accept-Language": "es"}).content.decode()
    assert "Administración de Panorama" in html and "Volver a Panorama" in html
