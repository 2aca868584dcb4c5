"""The site has an icon: linked from every page, and at /favicon.ico for browsers that
ask there whatever the page says (no 404 in every log)."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_to_anyone(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_its_icon(client, admin_user):
    for html in (
        client.get("/accounts/login/").content.decode(),
        client.force_login(admin_user) or client.get("/customers/").content.decode(),
    ):
        icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
        assert icon and finders.find(icon.group(1)), "no icon linked"
