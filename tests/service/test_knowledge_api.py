"""The knowledge base API: write, version, publish, search, feedback; who may write;
what each caller sees."""

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Article
from panorama.service.services.knowledge import article_create, article_publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


def test_write_version_publish_and_search_through_the_api(api_as, agent):
    api = api_as(agent)
    created = api.post(
        "/kb/articles",
        json={
            "title": "Cómo descargar su factura",
            "body": "Su **factura** en PDF.",
            "visibility": "public",
        },
    )
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["status"] == "draft" and article["version"] == 1
    assert article["body_html"] == "<p>Su <strong>factura</strong> en PDF.</p>\n"
    pk = article["id"]

    # A draft is not found by search.
    assert api.get("/kb/articles/search?q=factura").json() == []
    assert api.post(f"/kb/articles/{pk}/publish").json()["status"] == "published"
    patched = api.patch(
        f"/kb/articles/{pk}", json={"body": "Factura mensual en PDF.", "note": "v2"}
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2

    hits = api.get("/kb/articles/search?q=factura mensual").json()
    assert [h["article"]["id"] for h in hits] == [pk]
    assert "<mark>" in hits[0]["snippet"]
    versions = api.get(f"/kb/articles/{pk}/versions").json()
    assert [v["number"] for v in versions] == [2, 1] and versions[0]["note"] == "v2"
    restored = api.post(f"/kb/articles/{pk}/versions/1/restore").json()
    assert restored["version"] == 3 and restored["body"] == "Su **factura** en PDF."
    assert api.post(f"/kb/articles/{pk}/archive").json()["status"] == "archived"
    listed = api.get("/kb/articles?status=archived").json()
    assert [a["id"] for a in listed["items"]] == [pk]


def test_a_second_language_joins_the_translation_group(api_as, agent):
    api = api_as(agent)
    es = api.post("/kb/articles", json={"title": "Devoluciones", "body": "30 días"}).json()
    en = api.post(
        "/kb/articles",
        json={"title": "Returns", "body": "30 days", "language": "en", "translation_of": es["id"]},
    ).json()
    assert en["translation_group"] == es["translation_group"]
    again = api.post(
        "/kb/articles",
        json={"title": "Otra", "body": "x", "language": "en", "translation_of": es["id"]},
    )
    assert again.status_code == 409 and again.json()["errors"] == {
        "language": [again.json()["detail"]]
    }


def test_bad_input_answers_4xx_with_its_field(api_as, agent):
    api = api_as(agent)
    for body, field in [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x", "body": " "}, "body"),
        ({"title": "x", "body": "y", "language": "fr"}, "language"),
        ({"title": "x" * 300, "body": "y"}, "title"),
        ({"title": "x", "body": "y", "category_id": 99}, "category"),
    ]:
        response = api.post("/kb/articles", json=body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], response.json()
    assert api.get("/kb/articles/search?q=x&language=fr").status_code == 422
    assert api.get("/kb/articles?cursor=nonsense").status_code == 422
    assert Article.objects.count() == 0


@pytest.mark.parametrize("query", ['"', "NEAR(", "a OR", "*", "x:*&|!", "🙂", "%00"])
def test_search_answers_any_text(api_as, agent, query):
    article = article_create(by=None, title="Factura", body="factura")
    article_publish(by=None, article_id=article.pk)
    response = api_as(agent).get("/kb/articles/search", data={"q": query})
    assert response.status_code == 200


def test_a_sales_rep_reads_but_may_not_write(api_as):
    rep = UserFactory(username="rep", role=Role.SALES_REP)
    article = article_create(by=None, title="Garantía", body="Dos años")
    api = api_as(rep)
    assert api.get(f"/kb/articles/{article.pk}").status_code == 200
    refused = api.patch(f"/kb/articles/{article.pk}", json={"body": "Tres"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Only service agents and knowledge editors can write knowledge base articles."
    )
    assert api.post(f"/kb/articles/{article.pk}/publish").status_code == 403
    assert api.post("/kb/articles", json={"title": "x", "body": "y"}).status_code == 403
    article.refresh_from_db()
    assert article.status == "draft" and article.versions.count() == 1


def test_public_only_search_and_feedback_once_per_user(api_as, agent):
    internal = article_create(by=None, title="Factura interna", body="factura")
    public = article_create(by=None, title="Factura", body="factura", visibility="public")
    for a in (internal, public):
        article_publish(by=None, article_id=a.pk)
    api = api_as(agent)
    both = {h["article"]["id"] for h in api.get("/kb/articles/search?q=factura").json()}
    assert both == {internal.pk, public.pk}
    only = api.get("/kb/articles/search?q=factura&public_only=true").json()
    assert [h["article"]["id"] for h in only] == [public.pk]

    first = api.post(f"/kb/articles/{public.pk}/feedback", json={"helpful": True}).json()
    second = api.post(f"/kb/articles/{public.pk}/feedback", json={"helpful": False}).json()
    assert first == {"counted": True, "helpful_count": 1, "not_helpful_count": 0}
    assert second == {"counted": False, "helpful_count": 1, "not_helpful_count": 0}
    other = api_as(UserFactory(username="other", role=Role.SALES_REP))
    assert (
        other.post(f"/kb/articles/{public.pk}/feedback", json={"helpful": False}).json()[
            "not_helpful_count"
        ]
        == 1
    )


def test_categories(api_as, agent):
    api = api_as(agent)
    made = api.post("/kb/categories", json={"name_en": "Billing", "name_es": "Facturación"})
    assert made.status_code == 201 and made.json()["slug"] == "billing"
    clash = api.post("/kb/categories", json={"slug": "billing", "name_en": "Other"})
    assert clash.status_code == 409 and "slug" in clash.json()["errors"]
    assert api.post("/kb/categories", json={"name_en": ""}).status_code == 422
    listed = api.get("/kb/categories").json()
    assert [(c["slug"], c["name_es"]) for c in listed] == [("billing", "Facturación")]
    rep = api_as(UserFactory(username="rep2", role=Role.SALES_REP))
    assert rep.post("/kb/categories", json={"name_en": "X"}).status_code == 403
