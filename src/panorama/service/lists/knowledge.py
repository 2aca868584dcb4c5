"""The knowledge base's staff list (the shared list): search, filters as chips, saved
views; *Publish* and *Archive* in bulk through ``article_publish`` / ``article_archive``
(the right to edit the knowledge base; an article whose status cannot go there refused
with why)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import (
    BulkAction,
    Column,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    choice,
)
from panorama.core.pagination import Keyset

from ..models import Article, ArticleCategory
from ..selectors import knowledge as kb
from ..services import knowledge as services

STATUS_TONES = {"published": "success", "draft": "info", "archived": "secondary"}
VISIBILITY_TONES = {"public": "warning", "internal": "secondary"}


def _category_choices(user) -> list[tuple[str, str]]:
    return [(str(c.pk), c.name) for c in ArticleCategory.objects.all()]


def _helpful(article: Article) -> str:
    return f"{article.helpful_count} / {article.not_helpful_count}"


class ArticleList(ListDefinition):
    name = "articles"
    label = gettext_lazy("Knowledge base")
    url_name = "service:kb_list"
    noun = ngettext_lazy("%(count)s article", "%(count)s articles", "n")
    search_label = gettext_lazy("Words in the title or text")
    search_placeholder = gettext_lazy("e.g. invoice, devolución")
    empty_title = gettext_lazy("No articles yet")
    empty_text = gettext_lazy("Write the answers your agents give every day, once.")
    columns = [
        Column("title", gettext_lazy("Title"), value=attr("title"), link=True, sort="title"),
        Column("category", gettext_lazy("Category"), value=attr("category.name")),
        Column("language", gettext_lazy("Language"), value=choice("language")),
        Column(
            "visibility", gettext_lazy("Visibility"), value=chip("visibility", VISIBILITY_TONES)
        ),
        Column("status", gettext_lazy("Status"), value=chip("status", STATUS_TONES)),
        Column("helpful", gettext_lazy("Helpful / not"), value=_helpful, numeric=True),
        Column("slug", gettext_lazy("Address"), value=attr("slug"), default=False),
    ]
    filters = [
        Filter("status", gettext_lazy("Status"), choices=Article.Status.choices),
        Filter("visibility", gettext_lazy("Visibility"), choices=Article.Visibility.choices),
        Filter("language", gettext_lazy("Language"), choices=Article.Language.choices),
        Filter("category", gettext_lazy("Category"), choices=_category_choices),
    ]
    sorts = [
        Sort("title", gettext_lazy("Title, A to Z"), Keyset("title", "id", types=(str, int))),
        Sort("-title", gettext_lazy("Title, Z to A"), Keyset("-title", "-id", types=(str, int))),
        Sort("newest", gettext_lazy("Newest first"), Keyset("-id", types=(int,))),
    ]
    default_sort = "title"
    bulk_actions = [
        BulkAction(
            "status",
            gettext_lazy("Change status"),
            field=lambda user: forms.ChoiceField(
                label=gettext_lazy("Change status"),
                choices=[
                    ("published", gettext_lazy("Publish")),
                    ("archived", gettext_lazy("Archive")),
                ],
            ),
            run=lambda user, row, status: _set_status(user, row, status),
            permission="service.kb_edit",
        )
    ]

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = (
            kb.articles_visible_to(user)
            .select_related("category")
            .defer("plain_body", "search_document")
        )
        f = state.filters
        if f.get("status") in Article.Status.values:
            qs = qs.filter(status=f["status"])
        if f.get("visibility") in Article.Visibility.values:
            qs = qs.filter(visibility=f["visibility"])
        if f.get("language") in Article.Language.values:
            qs = qs.filter(language=f["language"])
        if (f.get("category") or "").isdigit():
            qs = qs.filter(category_id=int(f["category"]))
        if state.search:
            qs = qs.filter(pk__in=kb.article_ids_matching(state.search))
        return qs

    def row_url(self, row: Article) -> str:
        return reverse("service:kb_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "service.kb_edit"):
            return reverse("service:kb_create"), gettext_lazy("New article")
        return None


ARTICLES = ArticleList()


def _set_status(user: Any, article: Article, status: str) -> Article:
    if status == Article.Status.PUBLISHED:
        return services.article_publish(by=user, article_id=article.pk)
    return services.article_archive(by=user, article_id=article.pk)
