"""The components page lives at /ui/components/ (docs/ui.md); /ui/ leads there."""

import pytest

from panorama.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_get_the_components_page_at_its_address(client):
    client.force_login(UserFactory(username="boss", role=Role.ADMIN, is_staff=True))
    response = client.get("/ui/components/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Components" in html
    # The sidebar's link points at it and says it is the current page.
    assert 'href="/ui/components/" title="Components" aria-current="page"' in html
    # The shared pieces the ficha uses are shown: one-line empty section, choice chips.
    assert 'class="pn-section-empty"' in html and "pn-chips-choice" in html


def test_ui_redirects_to_the_components_page(client):
    client.force_login(UserFactory(username="boss", role=Role.ADMIN, is_staff=True))
    response = client.get("/ui/")
    assert response.status_code == 302
    assert response["Location"] == "/ui/components/"
    assert client.get("/ui/", follow=True).status_code == 200


def test_others_are_refused_and_strangers_sign_in_first(client):
    anonymous = client.get("/ui/components/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(UserFactory(username="rep", role=Role.SALES_REP))
    assert client.get("/ui/components/").status_code == 403
    assert client.get("/ui/components/?demo-q=x").status_code == 403


def test_the_page_shows_the_in_place_property_editor_in_each_state(client):
    client.force_login(UserFactory(username="boss", role=Role.ADMIN, is_staff=True))
    html = client.get("/ui/components/").content.decode()
    start = html.index('id="component-inline"')
    card = html[start : html.index("</section>", start)]
    assert "Properties edited in place" in card and "core/inline.py" in card
    # A value one may change is a button naming it; one he may not is plain text.
    assert 'class="pn-prop-value"' in card and "Edit First name:" in card
    assert '<span class="pn-cell-value">Elena Martín</span>' in card
    # The editor open (the field's own select, the current value chosen) and refused
    # (the saved value kept above what was typed, the message below, marked invalid).
    assert '<option value="active" selected>' in card
    assert 'class="pn-cell-value pn-cell-saved">lucia@example.com' in card
    assert 'value="lucia@"' in card and 'aria-invalid="true"' in card
    assert "Enter a valid email address." in card
    # Static: nothing there asks the server or is driven by inline-edit.js.
    assert "hx-" not in card and "data-pn-properties" not in card
    assert "autofocus" not in card


def test_the_page_shows_the_skeleton_as_during_a_slow_request(client):
    client.force_login(UserFactory(username="boss", role=Role.ADMIN, is_staff=True))
    html = client.get("/ui/components/").content.decode()
    start = html.index('id="component-skeleton"')
    card = html[start : html.index("</section>", start)]
    assert "core/_skeleton.html" in card
    assert 'class="card-body pn-skeleton-host htmx-request"' in card
    assert card.count('class="pn-skeleton-row"') == 3
    # The action's progress, in a button, as during a slow request.
    assert 'class="htmx-request" id="demo-progress"' in card
    assert 'class="btn btn-primary pn-action" disabled' in card and 'class="pn-progress"' in card
