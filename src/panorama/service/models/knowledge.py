"""The knowledge base: categories, articles in Spanish and English (one translation
group per article), and every version of an article's text.

An article's words live in its versions; the article points at its current one and
keeps a copy of its title and plain text (``title``, ``plain_body``) for lists, the
full-text index and search snippets. The index itself is the database's own: an FTS5
table on SQLite, a weighted ``tsvector`` with a GIN index on PostgreSQL, both kept in
sync by triggers (migration ``0003_knowledge``).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ArticleCategory(models.Model):
    """A shelf of the knowledge base, with its name in both languages; categories nest."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Spanish or English, the other as fallback)."""
        if (get_language() or "en").startswith("es"):
            return self.name_es or self.name_en
        return self.name_en or self.name_es


class Article(models.Model):
    """One article in one language. Its translations share ``translation_group``."""

    class Language(models.TextChoices):
        ES = "es", _("Spanish")
        EN = "en", _("English")

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal (staff only)")
        PUBLIC = "public", _("Public (help centre)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    category = models.ForeignKey(
        ArticleCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("category"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ES
    )
    translation_group = models.UUIDField(_("translation group"), default=uuid.uuid4)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "service.ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current version"),
    )
    # Copies of the current version, for lists, the full-text index and snippets.
    title = models.CharField(_("title"), max_length=200)
    plain_body = models.TextField(_("text"), blank=True, editable=False)
    helpful_count = models.PositiveIntegerField(_("found it helpful"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("did not find it helpful"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PostgreSQL only (a trigger fills it, a GIN index serves it); always empty on SQLite,
    # whose index is the FTS5 table service_article_fts.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="article_one_per_language"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "language"], name="article_published"),
            models.Index(fields=["category", "status"], name="article_category"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC and self.status == self.Status.PUBLISHED


class ArticleVersion(models.Model):
    """The words of an article at one moment: editing writes a new version, restoring
    an old one writes a copy of it; none is ever changed nor deleted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    # Markdown; raw HTML is shown as text, never run (service.knowledge_render).
    body = models.TextField(_("text"))
    note = models.CharField(_("change note"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    """One "was this helpful?" answer: one per article and visitor (a hash of the
    browser's session, or the API user), counted on the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    visitor = models.CharField(max_length=64)
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor"], name="articlefeedback_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"
