"""The knowledge base API: list, search, read, write (each edit a new version),
publish, archive, versions and their restore, "was this helpful?", categories."""

import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from panorama.core.exceptions import ValidationFailed
from panorama.core.pagination import Keyset
from panorama.core.validation import text_field

from ..models import Article, ArticleCategory, ArticleVersion
from ..selectors import knowledge as kb
from ..services import knowledge as services

router = Router(tags=["knowledge base"])


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    language: str
    translation_group: str
    visibility: str
    status: str
    category_id: int | None
    version: int | None
    helpful_count: int
    not_helpful_count: int
    published_at: datetime.datetime | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_translation_group(obj: Article) -> str:
        return str(obj.translation_group)

    @staticmethod
    def resolve_version(obj: Article) -> int | None:
        return obj.current_version.number if obj.current_version_id else None  # type: ignore[union-attr]


class ArticleDetailOut(ArticleOut):
    body: str
    body_html: str

    @staticmethod
    def resolve_body(obj: Article) -> str:
        return obj.current_version.body if obj.current_version_id else ""  # type: ignore[union-attr]

    @staticmethod
    def resolve_body_html(obj: Article) -> str:
        return str(kb.render_markdown(ArticleDetailOut.resolve_body(obj)))


class ArticlePageOut(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class SearchHitOut(Schema):
    article: ArticleOut
    rank: float
    snippet: str


class ArticleIn(Schema):
    title: str = text_field(Article, "title")
    body: str
    language: str = "es"
    visibility: str = "internal"
    category_id: int | None = None
    slug: str = text_field(Article, "slug", "")
    translation_of: int | None = None
    note: str = text_field(ArticleVersion, "note", "")


class ArticlePatchIn(Schema):
    title: str | None = text_field(Article, "title", None)
    body: str | None = None
    visibility: str | None = None
    category_id: int | None = None
    slug: str | None = text_field(Article, "slug", None)
    note: str = text_field(ArticleVersion, "note", "")


class VersionOut(Schema):
    number: int
    title: str
    body: str
    note: str
    author_id: int | None
    created_at: datetime.datetime


class FeedbackIn(Schema):
    helpful: bool


class FeedbackOut(Schema):
    counted: bool
    helpful_count: int
    not_helpful_count: int


class CategoryIn(Schema):
    slug: str = text_field(ArticleCategory, "slug", "")
    name_en: str = text_field(ArticleCategory, "name_en")
    name_es: str = text_field(ArticleCategory, "name_es", "")
    parent_id: int | None = None
    position: int = Field(0, ge=0, le=32767)


class CategoryPatchIn(Schema):
    """What a PATCH changes (the fields left out are kept); ``parent_id`` null: to the
    top level."""

    slug: str = text_field(ArticleCategory, "slug", "")
    name_en: str = text_field(ArticleCategory, "name_en", "")
    name_es: str = text_field(ArticleCategory, "name_es", "")
    parent_id: int | None = None
    position: int = Field(0, ge=0, le=32767)


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    name_en: str
    name_es: str
    parent_id: int | None
    position: int


BY_TITLE = Keyset("title", "id", types=(str, int))


def _choice(value: str, choices, field: str) -> str:
    if value and value not in choices.values:
        raise ValidationFailed(_("Unknown value %(value)s.") % {"value": value}, field=field)
    return value


@router.get("/kb/articles", response=ArticlePageOut)
def article_list(
    request,
    status: str = "",
    language: str = "",
    visibility: str = "",
    category_id: int | None = None,
    cursor: str = "",
    limit: int = 50,
):
    qs = kb.articles_visible_to(request.user).select_related("current_version")
    if _choice(status, Article.Status, "status"):
        qs = qs.filter(status=status)
    if _choice(language, Article.Language, "language"):
        qs = qs.filter(language=language)
    if _choice(visibility, Article.Visibility, "visibility"):
        qs = qs.filter(visibility=visibility)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    page = BY_TITLE.page(
        qs.defer("plain_body", "search_document"),
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/kb/articles/search", response=list[SearchHitOut])
def article_search(request, q: str, language: str = "", public_only: bool = False, limit: int = 20):
    hits = kb.articles_search(
        q.replace("\x00", "")[:500],
        user=request.user,
        language=_choice(language, Article.Language, "language") or None,
        public_only=public_only,
        limit=limit,
    )
    return [{"article": h.article, "rank": h.rank, "snippet": str(h.snippet)} for h in hits]


@router.get("/kb/articles/{article_id}", response=ArticleDetailOut)
def article_detail(request, article_id: int):
    return kb.article_get(user=request.user, article_id=article_id)


@router.post("/kb/articles", response={201: ArticleDetailOut})
def article_create(request, payload: ArticleIn):
    article = services.article_create(by=request.user, **payload.dict())
    return Status(201, kb.article_get(user=request.user, article_id=article.pk))


@router.patch("/kb/articles/{article_id}", response=ArticleDetailOut)
def article_update(request, article_id: int, payload: ArticlePatchIn):
    changes = payload.dict(exclude_unset=True)
    if "category_id" not in changes:
        changes["category_id"] = services.KEEP
    services.article_update(by=request.user, article_id=article_id, **changes)
    return kb.article_get(user=request.user, article_id=article_id)


@router.post("/kb/articles/{article_id}/publish", response=ArticleOut)
def article_publish(request, article_id: int):
    services.article_publish(by=request.user, article_id=article_id)
    return kb.article_get(user=request.user, article_id=article_id)


@router.post("/kb/articles/{article_id}/archive", response=ArticleOut)
def article_archive(request, article_id: int):
    services.article_archive(by=request.user, article_id=article_id)
    return kb.article_get(user=request.user, article_id=article_id)


@router.get("/kb/articles/{article_id}/versions", response=list[VersionOut])
def article_versions(request, article_id: int):
    return kb.article_versions(kb.article_get(user=request.user, article_id=article_id))


@router.post("/kb/articles/{article_id}/versions/{number}/restore", response=ArticleDetailOut)
def article_restore(request, article_id: int, number: int):
    services.article_restore_version(by=request.user, article_id=article_id, number=number)
    return kb.article_get(user=request.user, article_id=article_id)


@router.post("/kb/articles/{article_id}/feedback", response=FeedbackOut)
def article_feedback(request, article_id: int, payload: FeedbackIn):
    kb.article_get(user=request.user, article_id=article_id)  # visible to the caller
    article, counted = services.article_feedback(
        article_id=article_id, helpful=payload.helpful, visitor=f"user:{request.user.pk}"
    )
    return {
        "counted": counted,
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
    }


@router.get("/kb/categories", response=list[CategoryOut])
def category_list(request):
    return kb.categories()


@router.post("/kb/categories", response={201: CategoryOut})
def category_create(request, payload: CategoryIn):
    return Status(201, services.category_save(by=request.user, **payload.dict()))


@router.patch("/kb/categories/{category_id}", response=CategoryOut)
def category_update(request, category_id: int, payload: CategoryPatchIn):
    """Rename a category, change its address, move it under another one (a cycle is
    refused: 422 naming it) or to another place among its siblings."""
    return services.category_update(
        by=request.user, category_id=category_id, changes=payload.dict(exclude_unset=True)
    )


@router.delete("/kb/categories/{category_id}", response={204: None})
def category_delete(request, category_id: int):
    """Delete an empty category (409 naming what it still holds)."""
    services.category_delete(by=request.user, category_id=category_id)
    return Status(204, None)
