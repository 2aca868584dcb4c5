"""Reads of the knowledge base: who sees which article, the ranked full-text search
(one selector over two engines), suggestions for a case, and the Markdown rendering.

Search runs on the database's own full-text engine:

- SQLite: the FTS5 table ``service_article_fts`` (rowid = article id; accents folded,
  English stemming), ranked by ``bm25`` with the title weighing 10 times the text,
  snippets from FTS5's ``snippet()``.
- PostgreSQL: ``Article.search_document``, a ``tsvector`` built with the article's own
  language configuration ('spanish' or 'english'; title weight A, text B) under a GIN
  index, queried with ``django.contrib.postgres.search`` (``SearchQuery``,
  ``SearchRank``, ``SearchHeadline``).

The services keep both in sync (``search_index_update``) whenever an article's current
text changes. What a visitor types is never handed to either engine's query syntax:
it is cut into words (letters and digits only), each a prefix term, so quotes, ``OR``,
``NEAR(``, ``*``, ``:`` or ``&`` are just characters that match nothing or are dropped.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound

from ..models import Article, ArticleCategory, ArticleVersion

A = Article
PUBLISHED = A.Status.PUBLISHED
PUBLIC = A.Visibility.PUBLIC
CONFIGS = {"es": "spanish", "en": "english"}
MAX_TERMS = 24
# Words too common to say anything about a case (its subject is matched word by word).
_COMMON = (
    "the and for are but not you with this that from have has was were will can our your "
    "los las del por para con una uno unos unas que como pero sus mis tus esta este esto "
    "estos estas hay muy más mas sin sobre entre cuando donde desde hasta ser son está"
)
STOP_WORDS = frozenset(_COMMON.split())
# Private-use characters mark the matches inside a snippet until it is escaped.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


# --- who sees what --------------------------------------------------------------------


def articles_visible_to(user: User | None) -> QuerySet[Article]:
    """Every article for signed-in staff and the system (None): drafts and internal ones
    included, the list filters them; for an anonymous visitor, published public ones."""
    qs = Article.objects.all()
    if user is not None and not user.is_authenticated:
        qs = qs.filter(status=PUBLISHED, visibility=PUBLIC)
    return qs


def article_get(*, user: User | None, article_id: int, for_update: bool = False) -> Article:
    qs = articles_visible_to(user)
    qs = (
        qs.select_for_update()
        if for_update
        else qs.select_related("category", "current_version__author")
    )
    article = qs.filter(pk=article_id).first()
    if article is None:
        raise NotFound(
            _("Article %(id)s does not exist or is not visible to you.") % {"id": article_id}
        )
    return article


def public_article_get(*, slug: str) -> Article:
    """A published public article by its slug; anything else is a 404 to the public."""
    article = (
        Article.objects.filter(slug=slug, status=PUBLISHED, visibility=PUBLIC)
        .select_related("category", "current_version")
        .first()
    )
    if article is None:
        raise NotFound(_("There is no such help article."))
    return article


def article_translations(article: Article, *, public_only: bool = False) -> list[Article]:
    """The same article in the other language(s)."""
    qs = Article.objects.filter(translation_group=article.translation_group).exclude(pk=article.pk)
    if public_only:
        qs = qs.filter(status=PUBLISHED, visibility=PUBLIC)
    return list(qs.only("pk", "slug", "language", "title", "status", "visibility"))


def article_versions(article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("author").order_by("-number"))


def article_version_get(article: Article, number: int) -> ArticleVersion:
    version = article.versions.select_related("author").filter(number=number).first()
    if version is None:
        raise NotFound(
            _("Version %(n)s of this article does not exist.") % {"n": number}, field="version"
        )
    return version


def categories() -> list[ArticleCategory]:
    return list(ArticleCategory.objects.select_related("parent"))


def category_tree() -> list[ArticleCategory]:
    """Every category in reading order, each under its parent (``depth``: how deep), with
    its number of articles (``article_count``). One query."""
    rows = list(
        ArticleCategory.objects.annotate(article_count=Count("articles")).order_by(
            "position", "slug"
        )
    )
    children: dict[int | None, list[ArticleCategory]] = {}
    for category in rows:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[ArticleCategory] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            category.depth = depth  # type: ignore[attr-defined]
            ordered.append(category)
            walk(category.pk, depth + 1)

    walk(None, 0)
    return ordered


def public_categories(*, language: str) -> list[ArticleCategory]:
    """The categories holding published public articles in ``language``, each with
    ``public_articles`` (two queries)."""
    shown = Article.objects.filter(status=PUBLISHED, visibility=PUBLIC, language=language)
    return [
        c
        for c in ArticleCategory.objects.prefetch_related(
            Prefetch("articles", queryset=shown.order_by("title"), to_attr="public_articles")
        )
        if c.public_articles
    ]


def public_uncategorised(*, language: str) -> list[Article]:
    return list(
        Article.objects.filter(
            status=PUBLISHED, visibility=PUBLIC, language=language, category__isnull=True
        ).order_by("title")
    )


# --- full-text search ------------------------------------------------------------------


@dataclass
class SearchHit:
    article: Article
    rank: float
    snippet: SafeString


def search_terms(text: str) -> list[str]:
    """The words of ``text``: letters and digits only, lower case, at most MAX_TERMS."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text or "").lower())
    seen: list[str] = []
    for word in words:
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def _meaningful(terms: list[str]) -> list[str]:
    return [t for t in terms if len(t) >= 3 and t not in STOP_WORDS]


def _highlight(text: str) -> SafeString:
    """Escape a snippet and turn its match markers into <mark>."""
    html = escape(text or "").replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
    return mark_safe(html)  # noqa: S308  (escaped above; only our own tags added)


def _filters(
    *, user: User | None, language: str | None, public_only: bool, category_id: int | None
) -> Q:
    q = Q(status=PUBLISHED)
    if public_only or (user is not None and not user.is_authenticated):
        q &= Q(visibility=PUBLIC)
    if language:
        q &= Q(language=language)
    if category_id is not None:
        q &= Q(category_id=category_id)
    return q


def _search_sqlite(terms: list[str], *, any_term: bool, where: Q, limit: int) -> list[SearchHit]:
    match = (" OR " if any_term else " ").join(f'"{t}"*' for t in terms)
    base = Article.objects.filter(where).values_list("id", flat=True)
    inner_sql, inner_params = base.query.sql_with_params()
    sql = (
        "SELECT f.rowid, bm25(service_article_fts, 10.0, 1.0) AS score, "
        "snippet(service_article_fts, 1, %s, %s, '…', 24) "
        "FROM service_article_fts f "
        "WHERE service_article_fts MATCH %s AND f.rowid IN (" + inner_sql + ") "
        "ORDER BY score, f.rowid LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [MARK_OPEN, MARK_CLOSE, match, *inner_params, limit])
        rows = cursor.fetchall()
    articles = Article.objects.select_related("category").in_bulk([r[0] for r in rows])
    return [
        SearchHit(articles[pk], -score, _highlight(snippet))
        for pk, score, snippet in rows
        if pk in articles
    ]


def _tsquery(terms: list[str], *, any_term: bool, language: str | None):
    raw = (" | " if any_term else " & ").join(f"{t}:*" for t in terms)
    configs = [CONFIGS[language]] if language in CONFIGS else list(CONFIGS.values())
    query = SearchQuery(raw, search_type="raw", config=configs[0])
    for config in configs[1:]:
        query = query | SearchQuery(raw, search_type="raw", config=config)
    return query, configs[0]


def _search_postgresql(
    terms: list[str], *, any_term: bool, language: str | None, where: Q, limit: int
) -> list[SearchHit]:
    query, config = _tsquery(terms, any_term=any_term, language=language)
    qs = (
        Article.objects.filter(where, search_document=query)
        .select_related("category")
        .defer("search_document")
        .annotate(
            score=SearchRank(F("search_document"), query),
            snippet=SearchHeadline(
                "plain_body",
                query,
                config=config,
                start_sel=MARK_OPEN,
                stop_sel=MARK_CLOSE,
                max_words=30,
                min_words=12,
                max_fragments=1,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-score", "id")[:limit]
    )
    return [SearchHit(a, a.score, _highlight(a.snippet)) for a in qs]


def articles_search(
    query: str,
    *,
    user: User | None,
    language: str | None = None,
    public_only: bool = False,
    category_id: int | None = None,
    any_term: bool = False,
    limit: int = 20,
) -> list[SearchHit]:
    """Published articles matching ``query``, best first, each with a highlighted
    snippet (HTML, escaped). Every word must match (as a prefix: "factur" finds
    "facturas"); when none does, any word may. Visitors and ``public_only`` get public
    articles only. Two queries on either database; nothing typed ever reaches the
    engine's query syntax."""
    terms = search_terms(query)
    if any_term:
        terms = _meaningful(terms) or terms
    if not terms:
        return []
    where = _filters(user=user, language=language, public_only=public_only, category_id=category_id)
    limit = max(1, min(limit, 100))

    def run(any_: bool) -> list[SearchHit]:
        if connection.vendor == "postgresql":
            return _search_postgresql(
                terms, any_term=any_, language=language, where=where, limit=limit
            )
        return _search_sqlite(terms, any_term=any_, where=where, limit=limit)

    hits = run(any_term)
    if not hits and not any_term and len(terms) > 1:
        hits = run(True)
    return hits


def article_ids_matching(query: str) -> list[int]:
    """The ids of every article (any status) whose current text matches all of
    ``query``'s words, for the staff list's search box (one query)."""
    terms = search_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        search, _config = _tsquery(terms, any_term=False, language=None)
        return list(
            Article.objects.filter(search_document=search).values_list("id", flat=True)[:1000]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM service_article_fts WHERE service_article_fts MATCH %s LIMIT 1000",
            [" ".join(f'"{t}"*' for t in terms)],
        )
        return [row[0] for row in cursor.fetchall()]


def articles_suggested(*, case, user: User | None, limit: int = 5) -> list[SearchHit]:
    """The published articles that best fit a case: its subject and description, any
    of their meaningful words, ranked (internal articles too, for the agent)."""
    text = f"{case.subject} {case.description or ''}"
    return articles_search(text, user=user, any_term=True, limit=limit)


def search_index_update(article: Article) -> None:
    """Write ``article``'s current title and text into the full-text index."""
    if connection.vendor == "postgresql":
        config = CONFIGS.get(article.language, "simple")
        Article.objects.filter(pk=article.pk).update(
            search_document=SearchVector("title", weight="A", config=config)
            + SearchVector("plain_body", weight="B", config=config)
        )
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM service_article_fts WHERE rowid = %s", [article.pk])
        cursor.execute(
            "INSERT INTO service_article_fts(rowid, title, plain_body) VALUES (%s, %s, %s)",
            [article.pk, article.title, article.plain_body],
        )


# --- Markdown --------------------------------------------------------------------------

# CommonMark with tables; raw HTML is not rendered (it shows as text), and link targets
# are checked by markdown-it (no javascript:, vbscript:, file: nor data: URLs); images are
# off, so an article never loads anything from another site.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").disable("image")
)


def render_markdown(body: str) -> SafeString:
    """An article's Markdown as HTML that cannot carry a script."""
    return mark_safe(_markdown.render(body or ""))  # noqa: S308  (html disabled, links validated)


def markdown_text(body: str) -> str:
    """The words of an article's Markdown, without its markup (for search and snippets)."""
    parts: list[str] = []
    for token in _markdown.parse(body or ""):
        if token.type == "inline" and token.children:
            parts.append(
                "".join(
                    child.content if child.type in ("text", "code_inline") else " "
                    for child in token.children
                    if child.type in ("text", "code_inline", "softbreak", "hardbreak")
                )
            )
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    return "\n".join(p.strip() for p in parts if p.strip())


# --- the Ctrl+K palette ------------------------------------------------------------------


def article_hits(user, text: str) -> list:
    from django.urls import reverse

    from panorama.core import palette

    return [
        palette.Hit(
            label=hit.article.title,
            url=reverse("service:kb_detail", args=[hit.article.pk]),
            detail=hit.article.get_language_display(),
            icon="journal-text",
        )
        for hit in articles_search(text, user=user, limit=5)
    ]


def register_palette() -> None:
    from panorama.core import palette

    palette.register_action(
        palette.Action(
            gettext_lazy("New knowledge base article"),
            "service:kb_create",
            icon="journal-plus",
            permission="service.kb_edit",
            keywords=gettext_lazy("write faq help article"),
        )
    )
    palette.register_search(gettext_lazy("Knowledge base"), article_hits)
