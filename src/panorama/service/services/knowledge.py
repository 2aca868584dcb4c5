"""Writing the knowledge base: articles and their versions (every edit is a new one,
an old one can be restored as a new one), publishing and archiving, categories, and
the "was this helpful?" answers. Each write keeps the full-text index in sync."""

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import Article, ArticleCategory, ArticleFeedback, ArticleVersion
from ..selectors.knowledge import (
    article_get,
    article_version_get,
    markdown_text,
    search_index_update,
)

S = Article.Status
KEEP = object()  # "leave as it is" for article_update's optional fields


def _choice(value: str, choices, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(message % {"value": value}, field=field)
    return value


def _category(category_id: int | None) -> ArticleCategory | None:
    if category_id is None:
        return None
    category = ArticleCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationFailed(
            _("Category %(id)s does not exist.") % {"id": category_id}, field="category"
        )
    return category


def _text(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationFailed(_("An article needs a title."), field="title")
    if not body:
        raise ValidationFailed(_("An article needs some text."), field="body")
    return title, body


def _slug(wanted: str, title: str, *, exclude_id: int | None = None) -> str:
    """``wanted`` as given (refused if taken), or one made from the title (numbered
    when taken)."""
    limit = Article._meta.get_field("slug").max_length or 120
    taken = Article.objects.exclude(pk=exclude_id) if exclude_id else Article.objects.all()
    if wanted:
        slug = slugify(wanted)
        if not slug or slug != wanted.strip().lower():
            raise ValidationFailed(
                _("Use only lower-case letters, digits and hyphens in the address."),
                field="slug",
            )
        if len(slug) > limit:
            raise field_error(Article, "slug", _("At most %(n)s characters.") % {"n": limit})
        if taken.filter(slug=slug).exists():
            raise Conflict(
                _("Another article already has the address %(slug)s.") % {"slug": slug},
                field="slug",
            )
        return slug
    base = (slugify(title) or "article")[: limit - 6].strip("-") or "article"
    slug, n = base, 1
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _new_version(article: Article, *, title: str, body: str, note: str, by: User | None):
    number = (
        ArticleVersion.objects.filter(article=article)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    version = ArticleVersion(
        article=article,
        number=number,
        title=title,
        body=body,
        note=(note or "").strip(),
        author=by,
    )
    rules_for(ArticleVersion).check(version)
    version.save()
    article.current_version = version
    article.title = title
    article.plain_body = markdown_text(body)
    return version


def _saved(article: Article, version: ArticleVersion, by: User | None) -> None:
    search_index_update(article)
    emit(
        "article.saved",
        article_id=article.pk,
        version=version.number,
        language=article.language,
        by=by.pk if by else None,
    )


@transaction.atomic
def article_create(
    *,
    by: User | None,
    title: str,
    body: str,
    language: str = Article.Language.ES,
    visibility: str = Article.Visibility.INTERNAL,
    category_id: int | None = None,
    slug: str = "",
    translation_of: int | None = None,
    note: str = "",
) -> Article:
    """A new draft article with its first version. ``translation_of`` makes it the
    same article in another language (one per language)."""
    ensure_can(by, "service.kb_edit")
    title, body = _text(title, body)
    article = Article(
        language=_choice(language, Article.Language, "language", _("Unknown language %(value)s.")),
        visibility=_choice(
            visibility, Article.Visibility, "visibility", _("Unknown visibility %(value)s.")
        ),
        category=_category(category_id),
        title=title,
        created_by=by,
    )
    if translation_of is not None:
        original = Article.objects.filter(pk=translation_of).first()
        if original is None:
            raise ValidationFailed(
                _("Article %(id)s does not exist.") % {"id": translation_of},
                field="translation_of",
            )
        if Article.objects.filter(
            translation_group=original.translation_group, language=article.language
        ).exists():
            raise Conflict(
                _("This article already has a version in %(language)s.")
                % {"language": Article.Language(article.language).label},
                field="language",
            )
        article.translation_group = original.translation_group
    else:
        article.translation_group = uuid.uuid4()
    article.slug = _slug(slug, title)
    rules_for(Article).check(article)
    article.save()
    version = _new_version(article, title=title, body=body, note=note, by=by)
    article.save(update_fields=["current_version", "title", "plain_body", "updated_at"])
    _saved(article, version, by)
    return article


@transaction.atomic
def article_update(
    *,
    by: User | None,
    article_id: int,
    title: str | None = None,
    body: str | None = None,
    note: str = "",
    category_id=KEEP,
    visibility: str | None = None,
    slug: str | None = None,
) -> Article:
    """Change an article: a new title or text writes a new version (the old ones stay
    in its history); category, visibility and address change in place. A published
    article stays published with its new text."""
    ensure_can(by, "service.kb_edit")
    article = article_get(user=by, article_id=article_id, for_update=True)
    current = article.current_version
    new_title = current.title if title is None and current else title
    new_body = current.body if body is None and current else body
    new_title, new_body = _text(new_title or "", new_body or "")
    fields = ["updated_at"]
    if category_id is not KEEP:
        article.category = _category(category_id)
        fields.append("category")
    if visibility is not None:
        article.visibility = _choice(
            visibility, Article.Visibility, "visibility", _("Unknown visibility %(value)s.")
        )
        fields.append("visibility")
    if slug is not None and slug.strip() and slug.strip() != article.slug:
        article.slug = _slug(slug.strip(), new_title, exclude_id=article.pk)
        fields.append("slug")
    rules_for(Article).check(article)
    version = None
    if current is None or (new_title, new_body) != (current.title, current.body):
        version = _new_version(article, title=new_title, body=new_body, note=note, by=by)
        fields += ["current_version", "title", "plain_body"]
    article.save(update_fields=fields)
    if version is not None:
        _saved(article, version, by)
    return article


@transaction.atomic
def article_restore_version(
    *, by: User | None, article_id: int, number: int, note: str = ""
) -> Article:
    """Make an old version current again, as a new version copying it (history is
    never rewritten)."""
    ensure_can(by, "service.kb_edit")
    article = article_get(user=by, article_id=article_id, for_update=True)
    old = article_version_get(article, number)
    if article.current_version_id == old.pk:
        raise Conflict(_("Version %(n)s is already the current one.") % {"n": number})
    version = _new_version(
        article,
        title=old.title,
        body=old.body,
        note=note or _("Restored from version %(n)s") % {"n": number},
        by=by,
    )
    article.save(update_fields=["current_version", "title", "plain_body", "updated_at"])
    _saved(article, version, by)
    return article


def _set_status(by: User | None, article_id: int, status: str, allowed_from: set[str]) -> Article:
    ensure_can(by, "service.kb_edit")
    article = article_get(user=by, article_id=article_id, for_update=True)
    if article.status == status:
        return article
    if article.status not in allowed_from:
        raise Conflict(
            _("An article that is %(from)s cannot become %(to)s.")
            % {"from": S(article.status).label, "to": S(status).label},
            field="status",
        )
    previous = article.status
    article.status = status
    fields = ["status", "updated_at"]
    if status == S.PUBLISHED:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.save(update_fields=fields)
    emit(
        "article.status_changed",
        article_id=article.pk,
        from_status=previous,
        to_status=status,
        by=by.pk if by else None,
    )
    return article


@transaction.atomic
def article_publish(*, by: User | None, article_id: int) -> Article:
    """Put a draft (or an archived article) live: the help centre shows it if public."""
    return _set_status(by, article_id, S.PUBLISHED, {S.DRAFT, S.ARCHIVED})


@transaction.atomic
def article_archive(*, by: User | None, article_id: int) -> Article:
    """Take an article out of search and the help centre, keeping it and its history."""
    return _set_status(by, article_id, S.ARCHIVED, {S.DRAFT, S.PUBLISHED})


@transaction.atomic
def article_feedback(*, article_id: int, helpful: bool, visitor: str) -> tuple[Article, bool]:
    """Count one "was this helpful?" answer on a published article, once per visitor
    (a hash of his session, or "user:<id>" from the API). Answers (article, counted);
    a second answer from the same visitor is not counted. Open to the public: the
    article must be one the public sees, or an internal one a signed-in caller sees
    (the caller checks that)."""
    article = Article.objects.filter(pk=article_id, status=S.PUBLISHED).first()
    if article is None:
        raise NotFound(_("There is no such help article."))
    visitor = (visitor or "").strip()[:64]
    if not visitor:
        raise ValidationFailed(_("Who is answering is unknown."), field="visitor")
    try:
        with transaction.atomic():
            ArticleFeedback.objects.create(article=article, visitor=visitor, helpful=helpful)
    except IntegrityError:
        return article, False
    counter = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    article.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
    emit("article.rated", article_id=article.pk, helpful=helpful)
    return article, True


def _check_parent(category: ArticleCategory) -> None:
    """A category nests under another, never under itself nor one of its own sub-categories."""
    ancestor = category.parent
    while ancestor is not None:
        if category.pk is not None and ancestor.pk == category.pk:
            raise ValidationFailed(
                _("A category cannot be under itself or one of its own sub-categories."),
                field="parent",
            )
        ancestor = ancestor.parent


def _siblings(category: ArticleCategory):
    return ArticleCategory.objects.filter(parent_id=category.parent_id).exclude(pk=category.pk)


def _category_saved(category: ArticleCategory, by: User | None) -> ArticleCategory:
    emit(
        "article.category_saved",
        category_id=category.pk,
        parent_id=category.parent_id,
        position=category.position,
        by=by.pk if by else None,
    )
    return category


@transaction.atomic
def category_save(
    *,
    by: User | None,
    slug: str,
    name_en: str,
    name_es: str,
    parent_id: int | None = None,
    position: int | None = None,
    category_id: int | None = None,
) -> ArticleCategory:
    """Create a category (or change the one ``category_id`` names): its names, its
    address, the category it is under (any depth, no cycle) and its place among its
    siblings (``position``; None: last for a new one or one moved under another parent,
    unchanged otherwise)."""
    ensure_can(by, "service.kb_edit")
    category = (
        ArticleCategory.objects.select_for_update().filter(pk=category_id).first()
        if category_id
        else ArticleCategory()
    )
    if category is None:
        raise NotFound(_("Category %(id)s does not exist.") % {"id": category_id})
    moved = category.pk is None or category.parent_id != parent_id
    category.slug = slugify(slug or name_en or name_es)
    category.name_en = (name_en or "").strip()
    category.name_es = (name_es or "").strip() or category.name_en
    if not category.name_en:
        raise ValidationFailed(_("A category needs a name in English."), field="name_en")
    category.parent = _category(parent_id)
    _check_parent(category)
    if position is not None:
        category.position = position
    elif moved:
        last = _siblings(category).order_by("-position").values_list("position", flat=True)
        category.position = (last.first() + 1) if last.exists() else 0
    rules_for(ArticleCategory).check(category)
    clash = ArticleCategory.objects.filter(slug=category.slug).exclude(pk=category.pk)
    if not category.slug or clash.exists():
        raise Conflict(
            _("Another category already has the address %(slug)s.") % {"slug": category.slug},
            field="slug",
        )
    category.save()
    return _category_saved(category, by)


@transaction.atomic
def category_move(*, by: User | None, category_id: int, up: bool) -> ArticleCategory:
    """Move a category one place up or down among its siblings (those under the same
    parent); the siblings are numbered again from 0. At the top (or bottom): unchanged."""
    ensure_can(by, "service.kb_edit")
    category = ArticleCategory.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category %(id)s does not exist.") % {"id": category_id})
    row = list(
        ArticleCategory.objects.select_for_update()
        .filter(parent_id=category.parent_id)
        .order_by("position", "slug")
    )
    at = next(n for n, c in enumerate(row) if c.pk == category.pk)
    to = at - 1 if up else at + 1
    if not 0 <= to < len(row):
        return category
    row[at], row[to] = row[to], row[at]
    for n, sibling in enumerate(row):
        sibling.position = n
    ArticleCategory.objects.bulk_update(row, ["position"])
    return _category_saved(row[to], by)


@transaction.atomic
def category_update(*, by: User | None, category_id: int, changes: dict) -> ArticleCategory:
    """Change some of a category's ``slug``, ``name_en``, ``name_es``, ``parent_id``
    (None: the top level) and ``position``, the others kept: ``category_save``'s
    checks (no cycle: a category under one of its own sub-categories is refused,
    naming the problem; an address nobody else has)."""
    ensure_can(by, "service.kb_edit")
    category = ArticleCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category %(id)s does not exist.") % {"id": category_id})
    current = {
        "slug": category.slug,
        "name_en": category.name_en,
        "name_es": category.name_es,
        "parent_id": category.parent_id,
        "position": None,
    }
    return category_save(by=by, category_id=category.pk, **{**current, **changes})


@transaction.atomic
def category_delete(*, by: User | None, category_id: int) -> None:
    """Delete an empty category; one with sub-categories or articles (archived ones
    too) is refused (409), saying what it holds: move or delete those first."""
    ensure_can(by, "service.kb_edit")
    category = ArticleCategory.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category %(id)s does not exist.") % {"id": category_id})
    children = category.children.count()
    articles = Article.objects.filter(category=category).count()
    if children or articles:
        raise Conflict(
            _(
                "The category %(name)s is not empty: it holds %(children)s sub-categories "
                "and %(articles)s articles. Move or delete them first."
            )
            % {"name": category.name_en, "children": children, "articles": articles}
        )
    emit(
        "article.category_deleted",
        category_id=category.pk,
        slug=category.slug,
        parent_id=category.parent_id,
        by=by.pk if by else None,
    )
    category.delete()
