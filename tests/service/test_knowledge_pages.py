"""The knowledge base on the web: the staff list, article, editor and history, the
suggestions on a case, and the public help centre (no login, public articles only)."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.service.models import Article
from panorama.service.services.case import case_open
from panorama.service.services.knowledge import (
    article_create,
    article_publish,
    article_update,
    category_save,
)
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def published(title, body, **kw):
    article = article_create(by=None, title=title, body=body, **kw)
    return article_publish(by=None, article_id=article.pk)


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", role=Role.SALES_REP)


def test_the_list_shows_every_article_to_staff_with_search(client, agent):
    published("Cómo descargar su factura", "Factura en PDF.", visibility="public")
    article_create(by=None, title="Borrador de garantía", body="Dos años")
    client.force_login(agent)

    page = client.get(reverse("service:kb_list")).content.decode()
    assert "Cómo descargar su factura" in page and "Borrador de garantía" in page

    found = client.get(reverse("service:kb_list"), {"q": "facturas"}).content.decode()
    assert "Cómo descargar su factura" in found and "Borrador de garantía" not in found
    drafts = client.get(reverse("service:kb_list"), {"status": "draft"}).content.decode()
    assert "Borrador de garantía" in drafts and "Cómo descargar su factura" not in drafts
    # What a visitor types into the box never breaks the page.
    assert client.get(reverse("service:kb_list"), {"q": '"NEAR( *'}).status_code == 200


def test_the_list_costs_the_same_queries_whatever_its_length(
    client, agent, django_assert_max_num_queries
):
    shelf = category_save(by=None, slug="billing", name_en="Billing", name_es="Facturación")
    for n in range(3):
        published(f"Artículo {n}", "texto", category_id=shelf.pk)
    client.force_login(agent)
    client.get(reverse("service:kb_list"))  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("service:kb_list"))
    for n in range(3, 30):
        published(f"Artículo {n}", "texto", category_id=shelf.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("service:kb_list"))
    assert "Artículo 29" in response.content.decode()


def test_an_article_page_renders_markdown_safely(client, agent):
    article = published(
        "Garantía", "## Cobertura\n\nDos años. <script>alert(1)</script> [x](javascript:alert(1))"
    )
    client.force_login(agent)
    page = client.get(reverse("service:kb_detail", args=[article.pk])).content.decode()
    assert "<h2>Cobertura</h2>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page


def test_the_editor_previews_saves_a_version_and_the_history_restores(client, agent):
    client.force_login(agent)
    preview = client.post(
        reverse("service:kb_create"),
        {
            "title": "Envíos",
            "body": "**48 horas**",
            "language": "es",
            "visibility": "internal",
            "preview": "1",
        },
    )
    assert preview.status_code == 200
    assert "<strong>48 horas</strong>" in preview.content.decode()
    assert Article.objects.count() == 0

    created = client.post(
        reverse("service:kb_create"),
        {"title": "Envíos", "body": "En 48 horas.", "language": "es", "visibility": "public"},
    )
    article = Article.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "service:kb_detail", args=[article.pk]
    )
    edited = client.post(
        reverse("service:kb_edit", args=[article.pk]),
        {"title": "Envíos", "body": "En 24 horas.", "visibility": "public", "note": "más rápido"},
    )
    assert edited.status_code == 302
    history = client.get(reverse("service:kb_history", args=[article.pk])).content.decode()
    assert "más rápido" in history and "Restore version 1" in history
    old = client.get(reverse("service:kb_version", args=[article.pk, 1])).content.decode()
    assert "En 48 horas." in old

    client.post(reverse("service:kb_restore", args=[article.pk, 1]))
    article.refresh_from_db()
    assert article.current_version.number == 3 and article.current_version.body == "En 48 horas."

    live = client.post(reverse("service:kb_preview"), {"body": "# Hola"}).content.decode()
    assert "<h1>Hola</h1>" in live


def test_the_editor_shows_a_refusal_on_its_field(client, agent):
    client.force_login(agent)
    published("Envíos", "x")
    response = client.post(
        reverse("service:kb_create"),
        {
            "title": "Otro",
            "body": "y",
            "language": "es",
            "visibility": "internal",
            "slug": "envios",
        },
    )
    assert response.status_code == 409 or response.status_code == 422
    assert "Another article already has the address envios." in response.content.decode()
    assert Article.objects.count() == 1


def test_a_sales_rep_reads_but_cannot_write(client, rep):
    article = published("Garantía", "Dos años")
    client.force_login(rep)
    assert client.get(reverse("service:kb_detail", args=[article.pk])).status_code == 200
    page = client.get(reverse("service:kb_detail", args=[article.pk])).content.decode()
    assert reverse("service:kb_edit", args=[article.pk]) not in page
    refused = client.post(
        reverse("service:kb_edit", args=[article.pk]),
        {"title": "Garantía", "body": "Tres años", "visibility": "internal"},
    )
    assert refused.status_code == 403
    assert "Only service agents and knowledge editors" in refused.content.decode()
    article.refresh_from_db()
    assert article.current_version.body == "Dos años"


def test_a_translation_is_linked_both_ways(client, agent):
    es = published("Devoluciones", "30 días", visibility="public")
    client.force_login(agent)
    form = client.get(reverse("service:kb_create"), {"translation_of": es.pk}).content.decode()
    assert 'value="en" selected' in form
    client.post(
        reverse("service:kb_create"),
        {
            "title": "Returns",
            "body": "30 days",
            "language": "en",
            "visibility": "public",
            "translation_of": es.pk,
        },
    )
    en = Article.objects.get(language="en")
    assert en.translation_group == es.translation_group
    page = client.get(reverse("service:kb_detail", args=[es.pk])).content.decode()
    assert "English: Returns" in page


def test_a_case_suggests_articles_and_offers_their_public_link(client, agent):
    router = published(
        "El router no enciende", "Compruebe el cable del router y reinícielo.", visibility="public"
    )
    internal = published("Router: diagnóstico interno", "Pasos del router para agentes.")
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="El router no enciende")
    client.force_login(agent)
    page = client.get(reverse("service:case_detail", args=[case.pk])).content.decode()
    assert "Suggested articles" in page
    assert router.title in page and internal.title in page
    assert page.index(router.title) < page.index(internal.title)
    assert f"http://testserver/help/{router.slug}/" in page
    assert "Insert link in reply" in page


def test_the_public_help_centre_needs_no_login_and_shows_public_articles_only(client):
    billing = category_save(by=None, slug="billing", name_en="Billing", name_es="Facturación")
    public = published(
        "Cómo descargar su factura",
        "Su factura en PDF.",
        visibility="public",
        category_id=billing.pk,
    )
    internal = published("Factura: procedimiento interno", "Solo agentes: factura.")
    english = published(
        "How to download your invoice", "PDF invoice.", language="en", visibility="public"
    )

    index = client.get("/help/", {"lang": "es"})
    assert index.status_code == 200
    body = index.content.decode()
    assert "Facturación" in body and public.title in body
    assert internal.title not in body and english.title not in body

    found = client.get("/help/", {"lang": "es", "q": "factura"}).content.decode()
    assert public.title in found and internal.title not in found and "<mark>" in found
    assert client.get("/help/", {"q": '"OR NEAR(*'}).status_code == 200

    assert client.get(f"/help/{public.slug}/").status_code == 200
    assert client.get(f"/help/{internal.slug}/").status_code == 404
    draft = article_create(by=None, title="Borrador", body="x", visibility="public")
    assert client.get(f"/help/{draft.slug}/").status_code == 404
    assert client.post(f"/help/{internal.slug}/feedback/", {"helpful": "yes"}).status_code == 404
    english_page = client.get("/help/", {"lang": "en"}).content.decode()
    assert english.title in english_page and public.title not in english_page


def test_helpful_is_counted_once_per_visitor(client):
    article = published("Warranty", "Two years", visibility="public", language="en")
    url = f"/help/{article.slug}/feedback/"
    first = client.post(url, {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and "Thank you for your answer." in first.content.decode()
    again = client.post(url, {"helpful": "no"}, HTTP_HX_REQUEST="true")
    assert "You had already answered" in again.content.decode()
    assert client.post(url, {"helpful": "maybe"}).status_code == 422
    other_visitor = client.__class__()
    assert other_visitor.post(url, {"helpful": "no"}).status_code == 302
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    page = client.get(f"/help/{article.slug}/").content.decode()
    assert "You had already answered" not in page and "Thank you for your answer." in page


def test_an_edit_shows_at_once_on_the_public_page(client):
    article = published("Envíos", "En 48 horas.", visibility="public")
    article_update(by=None, article_id=article.pk, body="En 24 horas.")
    assert "En 24 horas." in client.get(f"/help/{article.slug}/").content.decode()
    assert [a.pk for a in [article]]
