import pytest
from django.urls import reverse

from panorama.customers.models import Customer
from panorama.sales.models import Lead
from panorama.sales.services.lead import lead_create

from ..factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory
from .test_lead_services import THREE_BAD

pytestmark = pytest.mark.django_db


def test_new_lead_qualify_and_convert_through_the_pages(client, rep, team):
    client.force_login(rep)
    page = client.get(reverse("sales:lead_list"))
    assert page.status_code == 200 and "New lead" in page.content.decode()
    made = client.post(
        reverse("sales:lead_create"),
        {
            "first_name": "Eva",
            "last_name": "Soto",
            "email": "eva@acme.es",
            "source": "phone",
            "postal_code": "28001",
        },
    )
    lead = Lead.objects.get()
    assert made.status_code == 302 and made.url == reverse("sales:lead_detail", args=[lead.pk])
    assert lead.data == {"postal_code": "28001"} and lead.source == "phone"
    detail = client.get(made.url).content.decode()
    assert "Eva Soto" in detail and "Qualify" in detail

    client.post(reverse("sales:lead_status", args=[lead.pk]), {"status": "qualified"})
    assert Lead.objects.get().status == "qualified"
    form = client.get(reverse("sales:lead_convert", args=[lead.pk])).content.decode()
    assert "a new customer will be created" in form
    done = client.post(reverse("sales:lead_convert", args=[lead.pk]), {"customer": "new"})
    customer = Customer.objects.get()
    assert done.status_code == 302 and done.url == reverse("customers:detail", args=[customer.pk])
    ficha = client.get(done.url).content.decode()
    assert "Converted from lead: Eva Soto (Phone)" in ficha


def test_convert_page_offers_the_existing_customer(client, rep, team):
    existing = CustomerFactory(first_name="Eva", last_name="Soto", owner=rep, team=team)
    IdentityFactory(customer=existing, kind="email", value="eva@acme.es")
    lead = lead_create(by=rep, first_name="Eva", last_name="Soto", email="eva@acme.es")
    client.force_login(rep)
    page = client.get(reverse("sales:lead_convert", args=[lead.pk])).content.decode()
    assert f'value="{existing.pk}"' in page and "same e-mail" in page
    unanswered = client.post(reverse("sales:lead_convert", args=[lead.pk]), {})
    assert unanswered.status_code == 422
    assert "Choose the customer it is" in unanswered.content.decode()
    client.post(reverse("sales:lead_convert", args=[lead.pk]), {"customer": str(existing.pk)})
    assert Lead.objects.get().customer == existing and Customer.objects.count() == 1


def test_disqualify_needs_a_reason_and_the_edit_page_saves(client, rep):
    lead = lead_create(by=rep, company="Acme")
    client.force_login(rep)
    refused = client.post(reverse("sales:lead_status", args=[lead.pk]), {"status": "disqualified"})
    assert refused.status_code == 422
    assert "Say why the lead is disqualified." in refused.content.decode()
    client.post(
        reverse("sales:lead_status", args=[lead.pk]), {"status": "disqualified", "reason": "Spam"}
    )
    assert Lead.objects.get().disqualify_reason == "Spam"
    client.post(reverse("sales:lead_status", args=[lead.pk]), {"status": "working"})
    saved = client.post(
        reverse("sales:lead_edit", args=[lead.pk]),
        {"company": "Acme SL", "source": "manual", "job_title": "CEO"},
    )
    assert saved.status_code == 302
    assert (Lead.objects.get().company, Lead.objects.get().job_title) == ("Acme SL", "CEO")
    bad = client.post(
        reverse("sales:lead_edit", args=[lead.pk]),
        {"company": "Acme SL", "source": "manual", "email": "nope"},
    )
    assert bad.status_code == 422 and "nope is not a valid e-mail address" in bad.content.decode()


def test_another_teams_lead_is_404_on_every_page(client, rep):
    other = lead_create(
        by=UserFactory(username="x", teams=[TeamFactory(name="Sur")]), company="Sur SL"
    )
    client.force_login(rep)
    assert client.get(reverse("sales:lead_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("sales:lead_convert", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("sales:lead_status", args=[other.pk]), {"status": "qualified"}
        ).status_code
        == 404
    )
    assert "Sur SL" not in client.get(reverse("sales:lead_list")).content.decode()


def test_list_filters_and_query_count(client, rep, team, django_assert_max_num_queries):
    for n in range(25):
        lead_create(by=rep, company=f"Acme {n}", team=team)
    lead_create(by=rep, company="Beta")
    client.force_login(rep)
    client.get(reverse("sales:lead_list"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("sales:lead_list")).content.decode()
    assert page.count('class="name"') == 26
    found = client.get(reverse("sales:lead_list") + "?q=bet").content.decode()
    assert "Beta" in found and "Acme 1" not in found


def test_convert_page_opens_the_opportunity_in_the_chosen_stage(client, rep):
    from panorama.sales.models import Opportunity

    from ..factories import pipeline_with_stages

    pipeline = pipeline_with_stages()
    propose = pipeline.stages.get(name="Propose")
    lead = lead_create(by=rep, company="Acme SL")
    client.force_login(rep)
    page = client.get(reverse("sales:lead_convert", args=[lead.pk])).content.decode()
    assert "New business: Propose" in page
    refused = client.post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {"customer": "new", "opportunity": "on", "stage": propose.pk},
    )
    assert refused.status_code == 422, "Propose needs an amount"
    assert not Customer.objects.exists()
    client.post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {"customer": "new", "opportunity": "on", "stage": propose.pk, "amount": "2500"},
    )
    opportunity = Opportunity.objects.get()
    assert (opportunity.stage, opportunity.amount, opportunity.name) == (propose, 2500, "Acme SL")


def test_the_lead_page_reads_in_a_bounded_number_of_queries(
    client, rep, django_assert_max_num_queries
):
    from panorama.sales.services.lead import lead_activity_record

    lead = lead_create(by=rep, company="Acme SL")
    client.force_login(rep)
    client.get(reverse("sales:lead_detail", args=[lead.pk]))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sales:lead_detail", args=[lead.pk]))
    for n in range(30):
        lead_activity_record(by=rep, lead_id=lead.pk, kind="web_visit", detail=f"/p{n}")
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("sales:lead_detail", args=[lead.pk])).content.decode()
    assert page.count("Web visit: /p") == 30


def test_the_form_shows_every_bad_field_beside_it(client, rep):
    client.force_login(rep)
    refused = client.post(reverse("sales:lead_create"), {**THREE_BAD, "source": "phone"})
    assert refused.status_code == 422
    page = refused.content.decode()
    for name, said in [
        ("job_title", "at most 100 characters"),
        ("email", "no-es-correo is not a valid e-mail address."),
        ("phone", "at most 40 characters"),
    ]:
        feedback = page.split(f'id="id_{name}-error">', 1)[1].split("</div>", 1)[0]
        assert said in feedback, name
        field = (
            page.split(f'id="id_{name}"', 1)[0].rsplit("<", 1)[1]
            + page.split(f'id="id_{name}"', 1)[1].split(">", 1)[0]
        )
        assert "is-invalid" in field and f'aria-describedby="id_{name}-error"' in field
    assert "id_last_name-error" not in page
    assert not Lead.objects.exists()
