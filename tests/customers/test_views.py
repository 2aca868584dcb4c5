"""The customer pages as a user meets them: sign in, list, search, new customer, ficha."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.core.models import FieldChange
from panorama.customers.models import Customer, Identity
from panorama.customers.services.customer import IdentityData, customer_update, identity_add
from tests.factories import (
    AddressFactory,
    BillingIncidentFactory,
    ConsentFactory,
    CustomerFactory,
    GroupFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


# --- sign in, sign out, language ------------------------------------------------------


@pytest.mark.parametrize("path", ["/customers/", "/customers/1/", "/customers/new/"])
def test_pages_need_a_signed_in_user(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_wrong_password_says_so_and_the_right_one_opens_the_list(client, agent):
    response = client.post("/accounts/login/", {"username": "agent", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()

    response = client.post("/accounts/login/", {"username": "agent", "password": "secret-pass-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:list")


def test_sign_out_is_a_post_and_ends_the_session(signed_in):
    assert signed_in.get("/customers/").status_code == 200
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in.get("/customers/").status_code == 302


def test_the_language_follows_the_browser_until_the_user_chooses(signed_in, agent):
    page = signed_in.get("/customers/", headers={"accept-language": "es"}).content.decode()
    assert '<html lang="es">' in page

    response = signed_in.post(
        "/accounts/preferences/", {"language": "en", "next": "/customers/?kind=person"}
    )
    assert response["Location"] == "/customers/?kind=person"
    agent.refresh_from_db()
    assert agent.language == "en"
    page = signed_in.get("/customers/", headers={"accept-language": "es"}).content.decode()
    assert '<html lang="en">' in page


def test_the_preferences_never_redirect_to_another_site(signed_in):
    response = signed_in.post(
        "/accounts/preferences/", {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("customers:list")


# --- the list ---------------------------------------------------------------------------


def _pks(response) -> list[int]:
    return [row.pk for row in response.context["list"].rows]


def test_the_list_shows_fifty_rows_in_few_queries_and_loads_more(
    signed_in, team, django_assert_max_num_queries
):
    owner = UserFactory(username="owner")
    CustomerFactory.create_batch(60, owner=owner, team=team)
    # Session, user, saved views, teams (filter menu), users and teams (bulk actions),
    # the page, the bounded count: whatever the number of rows.
    with django_assert_max_num_queries(8):
        response = signed_in.get("/customers/")
    page = response.content.decode()
    assert page.count('href="/customers/') >= 50
    assert team.name in page
    assert "60 customers" in page
    assert "Load more" in page

    more_url = response.context["list"].more_url
    more = signed_in.get(more_url, headers={"HX-Request": "true"})
    assert len(more.context["list"].rows) == 10
    assert "<html" not in more.content.decode()
    assert "Load more" not in more.content.decode()
    # The address bar remembers that 60 rows are loaded: Back or a reload draws them all.
    assert more["HX-Replace-Url"] == "/customers/?rows=60"
    assert len(signed_in.get("/customers/?rows=60").context["list"].rows) == 60


def test_filters_narrow_the_list_and_htmx_gets_the_list_only(signed_in, agent):
    mine = CustomerFactory(first_name="Ana", last_name="Mía", owner=agent)
    CustomerFactory(first_name="Otra", last_name="Persona")
    company = CustomerFactory(
        kind=Customer.Kind.ORGANISATION,
        first_name="",
        last_name="",
        legal_name="Acme SL",
        status=Customer.Status.PROSPECT,
    )

    response = signed_in.get(
        "/customers/", {"mine": "on"}, headers={"HX-Request": "true", "HX-Target": "customers-list"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert _pks(response) == [mine.pk]
    assert response["HX-Push-Url"] == "/customers/?mine=on"

    restore = signed_in.get(
        "/customers/",
        {"mine": "on"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()

    response = signed_in.get("/customers/", {"kind": "organisation", "status": "prospect"})
    assert _pks(response) == [company.pk]
    assert "<html" in response.content.decode()

    response = signed_in.get("/customers/", {"q": "otr"})
    assert [row.obj.display_name for row in response.context["list"].rows] == ["Otra Persona"]


def test_a_broken_page_link_is_an_error_message_not_a_crash(signed_in):
    response = signed_in.get("/customers/", {"cursor": "not-a-cursor"})
    assert response.status_code == 200
    assert "The page cursor is not valid." in response.content.decode()


def test_a_sales_rep_lists_only_his_book(client, rep):
    own = CustomerFactory(owner=rep)
    CustomerFactory()
    client.force_login(rep)
    response = client.get("/customers/")
    assert _pks(response) == [own.pk]


# --- the navbar search -----------------------------------------------------------------


def _search(client, text):
    return client.get("/customers/search/", {"q": text}, headers={"HX-Request": "true"})


def test_search_finds_a_phone_typed_in_another_format(signed_in):
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez")
    IdentityFactory(customer=customer, kind=Identity.Kind.PHONE, value="+34600112233")
    html = _search(signed_in, "600 11 22 33").content.decode()
    assert "Lucía Gómez" in html
    assert f'href="/customers/{customer.pk}/"' in html
    assert "Ambiguous" not in html


def test_search_says_when_an_identifier_is_shared(signed_in):
    for name in ("Padre", "Madre"):
        IdentityFactory(
            customer=CustomerFactory(first_name=name),
            kind=Identity.Kind.PHONE,
            value="+34911223344",
        )
    html = _search(signed_in, "911223344").content.decode()
    assert "Ambiguous: 2 customers share this identifier." in html


def test_search_lists_exact_matches_before_name_matches(signed_in):
    by_name = CustomerFactory(first_name="Pedro", last_name="Pérez")
    exact = CustomerFactory(first_name="Zoe", last_name="Zamora")
    IdentityFactory(customer=exact, kind=Identity.Kind.EMAIL, value="pedro@example.com")
    html = _search(signed_in, "pedro@example.com").content.decode()
    assert "Zoe Zamora" in html
    assert "Pedro Pérez" not in html  # a name prefix does not match an e-mail
    html = _search(signed_in, "Ped").content.decode()
    assert "Pedro Pérez" in html and f"/customers/{by_name.pk}/" in html


def test_search_needs_two_characters_and_says_when_nothing_matches(signed_in):
    CustomerFactory(first_name="Ana")
    assert _search(signed_in, "a").content.decode().strip() == ""
    assert "No customer matches" in _search(signed_in, "zzz").content.decode()


def test_a_nul_typed_into_the_search_box_is_ignored(signed_in):
    CustomerFactory(first_name="Pedro", last_name="Pérez")
    html = _search(signed_in, "Pe\x00d").content.decode()
    assert "Pedro Pérez" in html


def test_enter_in_the_search_box_opens_the_one_customer_found(signed_in):
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez")
    IdentityFactory(customer=customer, kind=Identity.Kind.PHONE, value="+34600112233")
    response = signed_in.get("/customers/search/", {"q": "600112233"})
    assert response["Location"] == f"/customers/{customer.pk}/"
    CustomerFactory(first_name="Luis")
    response = signed_in.get("/customers/search/", {"q": "lu"})
    assert response["Location"] == "/customers/?q=lu"


# --- the customer picker (customers/widgets.py) ---------------------------------------


def _pick(client, text):
    return client.get(
        "/customers/pick/",
        {"field": "customer_search", "customer_search": text, "list": "try-customer-options"},
        headers={"HX-Request": "true"},
    )


def test_the_picker_offers_customers_by_identifier_or_name_as_options(signed_in):
    lucia = CustomerFactory(first_name="Lucía", last_name="Gómez")
    IdentityFactory(customer=lucia, kind=Identity.Kind.PHONE, value="+34600112233")
    luis = CustomerFactory(first_name="Luis", last_name="Martín")
    html = _pick(signed_in, "600 11 22 33").content.decode()
    assert f'data-pn-pick="{lucia.pk}"' in html and f'data-pn-pick="{luis.pk}"' not in html
    assert f'id="try-customer-options-{lucia.pk}"' in html and 'role="listbox"' in html
    html = _pick(signed_in, "Lu").content.decode()
    assert f'data-pn-pick="{lucia.pk}"' in html and f'data-pn-pick="{luis.pk}"' in html
    assert "No customer matches" in _pick(signed_in, "zzz").content.decode()
    assert _pick(signed_in, "L").content.decode().strip() == ""  # two characters at least


def test_the_picker_offers_only_the_customers_the_user_may_see(client, rep):
    own = CustomerFactory(first_name="Marta", last_name="Suya", owner=rep)
    other = CustomerFactory(first_name="Marta", last_name="Ajena")
    IdentityFactory(customer=other, kind=Identity.Kind.EMAIL, value="marta@example.com")
    client.force_login(rep)
    html = _pick(client, "Marta").content.decode()
    assert f'data-pn-pick="{own.pk}"' in html and f'data-pn-pick="{other.pk}"' not in html
    assert f'data-pn-pick="{other.pk}"' not in _pick(client, "marta@example.com").content.decode()


def test_the_picker_needs_a_signed_in_user(client):
    response = _pick(client, "Marta")
    assert response.status_code in (302, 401)


# --- new customer ------------------------------------------------------------------------


def test_a_new_person_is_created_with_contact_points_and_address(signed_in, agent):
    response = signed_in.post(
        "/customers/new/",
        {
            "kind": "person",
            "first_name": "Marta",
            "last_name": "Ruiz",
            "national_id": "12345678Z",
            "phone": "600 11 22 33",
            "email": "Marta@Example.com",
            "line1": "Calle Mayor 1",
            "postal_code": "28013",
            "city": "Madrid",
        },
    )
    customer = Customer.objects.get(display_name="Marta Ruiz")
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.owner == agent
    assert sorted(customer.identities.values_list("value", flat=True)) == [
        "+34600112233",
        "12345678Z",
        "marta@example.com",
    ]
    assert customer.addresses.get().city == "Madrid"
    assert "Customer Marta Ruiz created." in signed_in.get(response["Location"]).content.decode()


def test_a_bad_national_id_is_shown_on_its_field_and_nothing_is_written(signed_in):
    response = signed_in.post(
        "/customers/new/",
        {"kind": "person", "first_name": "Marta", "national_id": "12345678A", "phone": "600112233"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "national_id": ["12345678A is not a valid DNI/NIE/CIF: its check letter or digit is wrong."]
    }
    assert 'id="id_national_id-error"' in response.content.decode()
    assert not Customer.objects.exists()
    assert not Identity.objects.exists()


def test_an_organisation_needs_its_legal_name(signed_in):
    response = signed_in.post("/customers/new/", {"kind": "organisation", "first_name": "x"})
    assert response.context["form"].errors == {
        "legal_name": ["An organisation needs a legal name."]
    }
    assert not Customer.objects.exists()


def test_an_analyst_cannot_create_customers(client):
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    response = client.post("/customers/new/", {"kind": "person", "first_name": "Ana"})
    assert response.status_code == 422
    assert "can read customers but not change them" in response.content.decode()
    assert not Customer.objects.exists()


# --- the ficha -------------------------------------------------------------------------


def _full_customer(agent):
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez", owner=agent, language="es")
    IdentityFactory(
        customer=customer, kind=Identity.Kind.PHONE, value="+34600112233", label="mobile"
    )
    IdentityFactory(customer=customer, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")
    identity_add(customer=customer, item=IdentityData(kind="pin", value="1234"), by=agent)
    HoldingFactory(customer=customer, conditions={"rate": "2.1%", "term": "25y"})
    BillingIncidentFactory(customer=customer, reference="INV-OPEN")
    BillingIncidentFactory(customer=customer, reference="INV-PAID", status="resolved")
    ConsentFactory(customer=customer, granted=True)
    ConsentFactory(customer=customer, granted=False)
    group = GroupFactory(name="Familia Gómez")
    MembershipFactory(group=group, customer=customer, role="head")
    sibling = MembershipFactory(group=group, customer=CustomerFactory(first_name="Pablo")).customer
    customer_update(customer=customer, by=agent, changes={"notes": "VIP"})
    customer.refresh_from_db()
    return customer, sibling


def test_the_ficha_shows_everything_known_about_the_customer(signed_in, agent):
    customer, sibling = _full_customer(agent)
    InteractionFactory(customer=customer, subject="Asked about the mortgage")
    html = signed_in.get(f"/customers/{customer.pk}/").content.decode()
    for text in [
        "Lucía Gómez",
        "+34600112233",
        "mobile",
        "12345678Z",
        "Hipoteca fija",
        "Rate (%):",  # a condition by its label
        "2.1%",
        "INV-OPEN",
        "1 open billing incident",
        "Marketing communications",
        "Familia Gómez",
        f'href="/customers/{sibling.pk}/"',
        "Asked about the mortgage",
        "Log a call, note or e-mail",
        "<dd>Spanish</dd>",  # the customer's language by name, not its code
        '<td class="text-nowrap">Notes</td>',  # the field history, by the field's name
        "••••",
    ]:
        assert text in html, text
    # The PIN is stored hashed and never shown.
    pin_hash = customer.identities.get(kind="pin").value
    assert pin_hash not in html
    assert html.index("Timeline") < html.index("Field history")


def _empty_lines(html: str) -> dict[str, str]:
    """Each empty section's one line: its heading's id -> the line's text."""
    found = {}
    for block in re.findall(r'<section class="pn-section-empty".*?</section>', html, re.S):
        key = re.search(r'<h2 class="pn-section-empty-title" id="sec-([\w-]+)">', block).group(1)
        found[key] = " ".join(re.sub(r"<[^>]+>", " ", block).split())
    return found


def test_empty_sections_are_one_line_with_their_action(signed_in):
    customer = CustomerFactory()
    html = signed_in.get(f"/customers/{customer.pk}/").content.decode()
    lines = _empty_lines(html)
    # name, "none yet" and the primary action (the agent may edit customers)
    expected = {
        "identities": "Identity and contact none yet Add an identifier",
        "addresses": "Addresses none yet Add an address",
        "holdings": "Products and services held none yet Add a product",
        "incidents": "Billing and payment incidents none yet Add an incident",
        "groups": "Groups none yet Add to a group",
        "consents": "Consents none yet Record a decision",
        "custom": "More data none yet Edit",
        "history": "Field history none yet",
        # the sales, service, marketing and analytics apps' sections
        "opportunities": "Open opportunities none yet New opportunity",
        "cases": "Open cases none yet New case",
        "alerts": "Alerts none yet Raise an alert",
    }
    for key, text in expected.items():
        assert lines.get(key) == text, (key, lines.get(key))
    # Not cards: no card is drawn for an empty section.
    assert 'aria-labelledby="sec-addresses"' in html
    assert not re.search(r'class="card[^"]*"[^>]*aria-labelledby="sec-addresses"', html)
    assert f'href="/customers/{customer.pk}/address-add/"' in html
    # The timeline keeps its card: it holds the form that logs a contact.
    assert "No contacts yet" in html


def test_a_section_with_rows_is_a_card_and_a_reader_gets_no_action(client):
    customer = CustomerFactory()
    AddressFactory(customer=customer, city="Zaragoza")
    analyst = UserFactory(username="analyst", role=Role.ANALYST)
    client.force_login(analyst)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    lines = _empty_lines(html)
    assert "addresses" not in lines and "Zaragoza" in html
    assert lines["groups"] == "Groups none yet"  # read-only: no "Add to a group"
    assert lines["identities"] == "Identity and contact none yet"
    assert lines["alerts"] == "Alerts none yet"  # read-only: no "Raise an alert"


def test_the_ficha_costs_the_same_queries_with_200_contacts_as_with_2(signed_in, agent):
    customer, _sibling = _full_customer(agent)
    InteractionFactory.create_batch(2, customer=customer, agent=agent)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(f"/customers/{customer.pk}/").status_code == 200
    InteractionFactory.create_batch(198, customer=customer, agent=agent)
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(f"/customers/{customer.pk}/")
    # One query per section (session, user, the customer, 7 core sections, 7 panels with
    # the alerts and the scores, the segments panel's two (segments, lists), the loyalty
    # panel's two (cards, programmes to join), custom fields, field history): the same
    # with 200 contacts as with 2.
    assert len(many) == len(few) <= 22
    assert response.content.decode().count('class="timeline-entry') == 50


def test_a_sales_rep_gets_404_on_a_customer_outside_his_scope(client, rep):
    other = CustomerFactory()
    client.force_login(rep)
    assert client.get(f"/customers/{other.pk}/").status_code == 404
    assert client.get(f"/customers/{CustomerFactory(owner=rep).pk}/").status_code == 200


def test_the_ficha_lists_the_latest_field_changes(signed_in, agent):
    customer = CustomerFactory(first_name="Ana")
    customer_update(customer=customer, by=agent, changes={"first_name": "Anabel"})
    assert FieldChange.objects.filter(customer_id=customer.pk).exists()
    html = signed_in.get(f"/customers/{customer.pk}/").content.decode()
    assert "Anabel" in html and '<td class="text-nowrap">First name</td>' in html
    # The field history names the field by its label, never by its internal key (the
    # Properties card's element ids and edit URLs carry the key, not its text).
    history = html[html.index('<td class="text-nowrap">First name</td>') - 2000 :]
    assert ">first_name<" not in html and "first_name</td>" not in history
