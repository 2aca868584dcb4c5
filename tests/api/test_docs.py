"""The API's schema and docs page: reachable with an API token as well as the session,
and the docs page works without reaching any other origin."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

from panorama.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(admin_user):
    return api_token_create(user=admin_user)[1]


def test_a_client_with_a_token_fetches_the_schema(client, token):
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Panorama API"
    assert "/api/v1/customers" in schema["paths"]


def test_a_client_with_a_token_opens_the_docs_page(client, token):
    response = client.get("/api/v1/docs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert "swagger-ui" in response.content.decode()


@pytest.mark.parametrize("path", ["openapi.json", "docs"])
def test_a_wrong_token_is_a_401_in_the_api_convention(client, path):
    response = client.get(f"/api/v1/{path}", headers={"Authorization": "Bearer pan_wrong"})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_docs_page_loads_its_assets_from_our_own_origin(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/v1/docs").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    foreign = [a for a in assets if re.match(r"^(https?:)?//", a)]
    assert foreign == []
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"
    # Swagger UI's online validator badge would call validator.swagger.io.
    assert '"validatorUrl": null' in html


@override_settings(LANGUAGE_CODE="en")
def test_a_stranger_without_a_token_is_sent_to_the_login_page(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs")
