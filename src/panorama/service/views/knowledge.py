"""The knowledge base pages: the staff list (the shared list), an article, the editor
with its preview, the version history; and the public help centre (/help/: no login,
published public articles only) with its search and "was this helpful?" buttons."""

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError, NotFound
from panorama.core.forms import StyledForm, text_input
from panorama.core.lists import list_response

from ..lists.knowledge import ARTICLES
from ..models import Article, ArticleCategory
from ..selectors import knowledge as kb
from ..services import knowledge as services


@require_GET
def kb_list(request):
    return list_response(request, ARTICLES, template="service/kb/list.html")


# --- an article, the editor, the history ------------------------------------------------


class ArticleForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("Title"), widget=text_input(Article, "title"))
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Markdown: **bold**, *italics*, # headings, - lists, [links](https://…), tables."
        ),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        queryset=ArticleCategory.objects.all(),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Article.Language.choices)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility"), choices=Article.Visibility.choices
    )
    slug = forms.CharField(
        label=gettext_lazy("Address"),
        required=False,
        widget=text_input(Article, "slug"),
        help_text=gettext_lazy("Left empty, it is made from the title."),
    )
    note = forms.CharField(
        label=gettext_lazy("Change note"), required=False, widget=text_input(Article, "title")
    )
    translation_of = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # an article's language is what it is; a translation is another article
            del self.fields["language"]
            del self.fields["translation_of"]


def _can_edit(request) -> bool:
    return permissions.can(request.user, "service.kb_edit")


@require_GET
def kb_detail(request, article_id: int):
    article = kb.article_get(user=request.user, article_id=article_id)
    version = article.current_version
    return render(
        request,
        "service/kb/detail.html",
        {
            "article": article,
            "version": version,
            "body_html": kb.render_markdown(version.body if version else ""),
            "translations": kb.article_translations(article),
            "missing_languages": _missing_languages(article),
            "can_edit": _can_edit(request),
            "public_url": request.build_absolute_uri(reverse("help:article", args=[article.slug]))
            if article.is_public
            else "",
        },
    )


def _missing_languages(article: Article) -> list[tuple[str, str]]:
    have = {article.language} | {t.language for t in kb.article_translations(article)}
    return [(code, str(label)) for code, label in Article.Language.choices if code not in have]


def _preview(form: ArticleForm) -> Any:
    return kb.render_markdown(form.data.get("body", "")) if form.is_bound else ""


@require_http_methods(["GET", "POST"])
def kb_create(request):
    initial: dict[str, Any] = {"language": (get_language() or "es")[:2]}
    original = None
    wanted = request.GET.get("translation_of", "")
    if wanted.isdigit():
        original = kb.article_get(user=request.user, article_id=int(wanted))
        initial.update(
            translation_of=original.pk,
            category=original.category_id,
            visibility=original.visibility,
            language=next(
                (code for code, _label in _missing_languages(original)), original.language
            ),
        )
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 422
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            article = services.article_create(
                by=request.user,
                title=data["title"],
                body=data["body"],
                language=data["language"],
                visibility=data["visibility"],
                category_id=data["category"].pk if data["category"] else None,
                slug=data["slug"],
                translation_of=data["translation_of"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Article saved as a draft."))
            return redirect("service:kb_detail", article.pk)
    return render(
        request,
        "service/kb/form.html",
        {"form": form, "article": None, "original": original, "preview": _preview(form)},
        status=status if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def kb_edit(request, article_id: int):
    article = kb.article_get(user=request.user, article_id=article_id)
    version = article.current_version
    initial = {
        "title": article.title,
        "body": version.body if version else "",
        "category": article.category_id,
        "visibility": article.visibility,
        "slug": article.slug,
    }
    form = ArticleForm(
        request.POST if request.method == "POST" else None, initial=initial, editing=True
    )
    status = 422
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            services.article_update(
                by=request.user,
                article_id=article.pk,
                title=data["title"],
                body=data["body"],
                note=data["note"],
                category_id=data["category"].pk if data["category"] else None,
                visibility=data["visibility"],
                slug=data["slug"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Article saved."))
            return redirect("service:kb_detail", article.pk)
    return render(
        request,
        "service/kb/form.html",
        {"form": form, "article": article, "preview": _preview(form)},
        status=status if form.errors else 200,
    )


@require_POST
def kb_preview(request):
    """The editor's live preview (HTMX): the Markdown as it will be shown."""
    return render(
        request,
        "service/kb/_preview.html",
        {"preview": kb.render_markdown(request.POST.get("body", ""))},
    )


def _status_action(request, article_id: int, service, done: str):
    try:
        service(by=request.user, article_id=article_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, str(exc.message))
        return redirect("service:kb_detail", article_id)
    messages.success(request, done)
    return redirect("service:kb_detail", article_id)


@require_POST
def kb_publish(request, article_id: int):
    return _status_action(request, article_id, services.article_publish, _("Article published."))


@require_POST
def kb_archive(request, article_id: int):
    return _status_action(request, article_id, services.article_archive, _("Article archived."))


@require_GET
def kb_history(request, article_id: int):
    article = kb.article_get(user=request.user, article_id=article_id)
    return render(
        request,
        "service/kb/history.html",
        {
            "article": article,
            "versions": kb.article_versions(article),
            "can_edit": _can_edit(request),
        },
    )


@require_GET
def kb_version(request, article_id: int, number: int):
    article = kb.article_get(user=request.user, article_id=article_id)
    version = kb.article_version_get(article, number)
    return render(
        request,
        "service/kb/version.html",
        {
            "article": article,
            "version": version,
            "body_html": kb.render_markdown(version.body),
            "can_edit": _can_edit(request),
        },
    )


@require_POST
def kb_restore(request, article_id: int, number: int):
    try:
        services.article_restore_version(by=request.user, article_id=article_id, number=number)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, str(exc.message))
        return redirect("service:kb_history", article_id)
    messages.success(request, _("Version %(n)s restored as the current text.") % {"n": number})
    return redirect("service:kb_detail", article_id)


# --- the public help centre (no login) ---------------------------------------------------


def _help_language(request) -> str:
    wanted = request.GET.get("lang", "")
    if wanted in Article.Language.values:
        return wanted
    return "es" if (get_language() or "es").startswith("es") else "en"


def _visitor(request) -> str:
    """Who answers "was this helpful?": a hash of the browser's session (never the key)."""
    if not request.session.session_key:
        request.session.save()
    key = request.session.session_key or ""
    return hashlib.sha256(f"kb:{key}".encode()).hexdigest()[:40]


def _voted(request) -> dict:
    return request.session.get("kb_voted", {}) if hasattr(request, "session") else {}


@login_not_required
@require_GET
def help_index(request):
    language = _help_language(request)
    with translation.override(language):  # the whole page in the help centre's language
        return _help_index(request, language)


def _help_index(request, language: str):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    category_slug = request.GET.get("category", "")
    category = ArticleCategory.objects.filter(slug=category_slug).first() if category_slug else None
    hits = (
        kb.articles_search(
            query,
            user=request.user,
            language=language,
            public_only=True,
            category_id=category.pk if category else None,
        )
        if query
        else []
    )
    shelves = kb.public_categories(language=language)
    if category is not None:
        shelves = [c for c in shelves if c.pk == category.pk]
    return render(
        request,
        "service/kb/help_index.html",
        {
            "language": language,
            "query": query,
            "hits": hits,
            "category": category,
            "shelves": shelves,
            "loose": [] if category else kb.public_uncategorised(language=language),
            "languages": Article.Language.choices,
        },
    )


def _feedback_context(request, article: Article, *, just_counted: bool | None = None) -> dict:
    return {
        "article": article,
        "vote": _voted(request).get(str(article.pk)),
        "just_counted": just_counted,
    }


@login_not_required
@require_GET
def help_article(request, slug: str):
    try:
        article = kb.public_article_get(slug=slug)
    except NotFound:
        raise Http404(_("There is no such help article.")) from None
    with translation.override(article.language):
        return _help_article(request, article)


def _help_article(request, article: Article):
    return render(
        request,
        "service/kb/help_article.html",
        {
            **_feedback_context(request, article),
            "body_html": kb.render_markdown(
                article.current_version.body if article.current_version else ""
            ),
            "translations": kb.article_translations(article, public_only=True),
            "language": article.language,
            "languages": Article.Language.choices,
        },
    )


@login_not_required
@require_POST
def help_feedback(request, slug: str):
    try:
        article = kb.public_article_get(slug=slug)
    except NotFound:
        raise Http404(_("There is no such help article.")) from None
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return render(
            request,
            "service/kb/_feedback.html",
            {**_feedback_context(request, article), "error": _("Choose yes or no.")},
            status=422,
        )
    with translation.override(article.language):
        return _help_feedback(request, article, helpful == "yes")


def _help_feedback(request, article: Article, helpful: bool):
    article, counted = services.article_feedback(
        article_id=article.pk, helpful=helpful, visitor=_visitor(request)
    )
    voted = _voted(request)
    voted.setdefault(str(article.pk), "yes" if helpful else "no")
    request.session["kb_voted"] = voted
    if request.htmx:
        return render(
            request,
            "service/kb/_feedback.html",
            _feedback_context(request, article, just_counted=counted),
        )
    messages.success(request, _("Thank you for your answer."))
    return redirect("help:article", article.slug)
