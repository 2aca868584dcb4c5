"""The knowledge base list publishes and archives in bulk through ``article_publish`` /
``article_archive`` (each article's status changed, its event emitted); who may not
write articles is not offered it and cannot post it."""

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Article
from panorama.service.services.knowledge import article_create
from tests.factories import UserFactory

from ..lists import bulk_keys, list_bulk

pytestmark = pytest.mark.django_db


def test_an_agent_archives_then_publishes_in_bulk(client, emitted):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    drafts = [article_create(by=None, title=f"Guía {n}", body="Texto") for n in range(3)]
    client.force_login(agent)
    assert "status" in bulk_keys(client.get("/service/kb/"))
    ids = [a.pk for a in drafts[:2]]
    with emitted() as events:
        done = list_bulk(
            client, "articles", action="status", **{"value-status": "published"}, ids=ids
        )
    assert done.context["list"].report.done == 2
    assert [e for e, _p in events].count("article.status_changed") == 2
    assert set(Article.objects.filter(status="published").values_list("pk", flat=True)) == set(ids)
    archived = list_bulk(
        client, "articles", action="status", **{"value-status": "archived"}, all="1"
    )
    assert archived.context["list"].report.done == 3
    assert not Article.objects.exclude(status="archived").exists()


def test_a_sales_rep_may_not_change_articles(client):
    draft = article_create(by=None, title="Guía", body="Texto")
    rep = UserFactory(username="rep", role=Role.SALES_REP)
    client.force_login(rep)
    assert "status" not in bulk_keys(client.get("/service/kb/"))
    refused = list_bulk(
        client, "articles", action="status", **{"value-status": "published"}, ids=[draft.pk]
    )
    assert "Choose an action." in refused.content.decode()
    assert Article.objects.get(pk=draft.pk).status == "draft"
