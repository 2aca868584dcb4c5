import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.sales.models import AssignmentRule, Lead, ScoringRule, WebForm

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://www.talleres-perez.es"


@pytest.fixture
def form(db):
    return WebForm.objects.create(
        name="Contact",
        fields=["first_name", "last_name", "email", "phone", "company", "postal_code", "message"],
        required_fields=["last_name", "email"],
        team=TeamFactory(name="Inbound"),
        allowed_origins=f"{SITE}\nhttps://shop.example.com",
    )


def _post(client, form, data, origin=SITE, accept="application/json", ip="203.0.113.7"):
    headers = {"Accept": accept}
    if origin:
        headers["Origin"] = origin
    return client.post(
        reverse("webform_submit", args=[form.token]), data, headers=headers, REMOTE_ADDR=ip
    )


GOOD = {"first_name": "Eva", "last_name": "Soto", "email": "Eva@Acme.es", "message": "Call me"}


def test_a_submission_from_an_allowed_site_becomes_a_scored_assigned_lead(client, form, emitted):
    ana = UserFactory(username="ana", role=Role.SALES_REP, teams=[form.team])
    AssignmentRule.objects.create(name="Inbound", kind="round_robin", team=form.team)
    ScoringRule.objects.create(
        name="Web form", field="source", operator="equals", value="web_form", points=5
    )
    with emitted() as events:
        answer = _post(client, form, {**GOOD, "postal_code": "28001", "utm_source": "ads"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["ok"] is True
    assert answer["Access-Control-Allow-Origin"] == SITE
    lead = Lead.objects.get()
    assert (lead.source, lead.web_form, lead.email, lead.notes) == (
        "web_form",
        form,
        "eva@acme.es",
        "Call me",
    )
    assert lead.data == {"postal_code": "28001", "extra": {"utm_source": "ads"}}
    assert (lead.owner, lead.team, lead.score) == (ana, form.team, 5)
    assert [n for n, _p in events] == ["lead.created", "lead.assigned"]
    assert events[0][1]["by"] is None


def test_the_preflight_answers_the_allowed_origin_only(client, form):
    url = reverse("webform_submit", args=[form.token])
    ok = client.options(url, headers={"Origin": SITE})
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SITE
    other = client.options(url, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other


def test_another_site_is_refused(client, form):
    answer = _post(client, form, GOOD, origin="https://evil.example")
    assert answer.status_code == 403 and not Lead.objects.exists()


def test_the_honeypot_keeps_nothing_and_says_nothing(client, form):
    answer = _post(client, form, {**GOOD, "website": "http://spam.example"})
    assert answer.status_code == 201 and answer.json()["ok"] is True
    assert not Lead.objects.exists()


def test_validation_errors_are_listed_by_field(client, form):
    answer = _post(client, form, {"first_name": "Eva", "email": "not-an-email"})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"last_name", "email"}
    assert errors["last_name"] == ["Last name is required."]
    assert "not-an-email is not a valid e-mail address." in errors["email"][0]
    assert answer["Access-Control-Allow-Origin"] == SITE, "the site's script can read why"
    assert not Lead.objects.exists()


def test_a_bad_token_is_404(client, form):
    answer = client.post("/forms/not-a-token/submit", GOOD, headers={"Origin": SITE})
    assert answer.status_code == 404 and "does not exist" in answer.json()["detail"]
    form.active = False
    form.save()
    assert _post(client, form, GOOD).status_code == 404


def test_the_rate_limit_answers_429_per_address(client, form, settings):
    settings.PANORAMA_WEBFORM_LIMIT = 3
    for n in range(3):
        assert _post(client, form, {**GOOD, "last_name": f"S{n}"}).status_code == 201
    refused = _post(client, form, GOOD)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many submissions" in refused.json()["detail"]
    assert Lead.objects.count() == 3
    assert _post(client, form, GOOD, ip="198.51.100.1").status_code == 201, "another address"


def test_a_plain_html_post_goes_to_the_thank_you_page(client, form):
    form.thank_you_url = f"{SITE}/gracias"
    form.save()
    answer = _post(client, form, GOOD, accept="text/html")
    assert answer.status_code == 302 and answer["Location"] == f"{SITE}/gracias"
    assert Lead.objects.count() == 1


def test_no_login_and_no_csrf_token_needed(form):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert _post(strict, form, GOOD).status_code == 201


def test_the_snippet_page_is_for_administrators(client, form, admin_user, rep):
    client.force_login(rep)
    assert client.get(reverse("sales:webform_snippet", args=[form.pk])).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("sales:webform_snippet", args=[form.pk])).content.decode()
    assert f"/forms/{form.token}/submit" in page and "/static/sales/webform.js" in page
    assert "name=&quot;website&quot;" in page, "the honeypot is in the snippet"


def test_the_snippet_sends_the_visitor_to_the_thank_you_page(rf, form):
    from panorama.sales.views.webforms import snippet_html

    form.thank_you_url = "https://www.talleres-perez.es/gracias?a=1&b=2"
    snippet = snippet_html(rf.get("/"), form)
    assert 'data-thank-you="https://www.talleres-perez.es/gracias?a=1&amp;b=2"' in snippet


def test_the_visitors_language_goes_with_the_lead_to_the_customer(client, form):
    from panorama.sales.services.lead_convert import lead_convert

    rep = UserFactory(username="ana", role=Role.SALES_REP, teams=[form.team])
    answer = client.post(
        reverse("webform_submit", args=[form.token]),
        GOOD,
        headers={"Origin": SITE, "Accept": "application/json", "Accept-Language": "es-ES,es;q=0.9"},
    )
    assert answer.status_code == 201
    lead = Lead.objects.get()
    assert lead.data["language"] == "es"
    customer = lead_convert(by=rep, lead_id=lead.pk, create_new=True).customer
    assert customer.language == "es"  # his quotes and e-mails will be in Spanish

    # A language Panorama does not write in is not kept; nor is it an extra field.
    client.post(
        reverse("webform_submit", args=[form.token]),
        {**GOOD, "email": "otro@acme.es", "language": "fr"},
        headers={"Origin": SITE, "Accept": "application/json"},
    )
    other = Lead.objects.get(email="otro@acme.es")
    assert "language" not in other.data and "language" not in other.data.get("extra", {})
