"""The knowledge base's categories: the tree (each under its parent, in order), adding,
renaming, nesting and reordering, for whoever may write the knowledge base
(``service.kb_edit``), through the same service as the API; read by everyone signed in.
A refusal comes back beside its field (422) and nothing is saved."""

from typing import cast

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import Conflict, DomainError, NotFound

from ..forms import CategoryForm
from ..models import ArticleCategory
from ..selectors import knowledge as selectors
from ..services import knowledge as services


def _save(request, form: CategoryForm, category: ArticleCategory | None = None) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.category_save(
            by=request.user,
            category_id=category.pk if category else None,
            slug=data["slug"],
            name_en=data["name_en"],
            name_es=data["name_es"],
            parent_id=data["parent"].pk if data["parent"] else None,
        )
    except DomainError as exc:
        if exc.status_code not in (409, 422):
            raise
        form.add_domain_error(exc)
        return False
    messages.success(request, _("Category saved."))
    return True


@require_http_methods(["GET", "POST"])
def category_list(request):
    """The tree, and the form that adds a category."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        ensure_can(request.user, "service.kb_edit")
        if _save(request, form):
            return redirect("service:kb_categories")
    return render(
        request,
        "service/kb/categories.html",
        {
            "categories": selectors.category_tree(),
            "may_edit": can(request.user, "service.kb_edit"),
            "form": form,
        },
        status=422 if form.errors else 200,
    )


def _category(category_id: int) -> ArticleCategory:
    category = ArticleCategory.objects.select_related("parent").filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category %(id)s does not exist.") % {"id": category_id})
    return category


@require_http_methods(["GET", "POST"])
def category_edit(request, category_id: int):
    """Rename a category, change its address or put it under another one."""
    ensure_can(request.user, "service.kb_edit")
    category = _category(category_id)
    form = CategoryForm(
        request.POST or None,
        initial={
            "name_en": category.name_en,
            "name_es": category.name_es,
            "slug": category.slug,
            "parent": category.parent_id,
        },
    )
    parent = cast(forms.ModelChoiceField, form.fields["parent"])
    parent.queryset = ArticleCategory.objects.exclude(pk=category.pk).order_by("name_en")
    if request.method == "POST" and _save(request, form, category):
        return redirect("service:kb_categories")
    return render(
        request,
        "service/kb/category_form.html",
        {"form": form, "category": category},
        status=422 if form.errors else 200,
    )


@require_POST
def category_move(request, category_id: int):
    """One place up (``direction=up``) or down among its siblings."""
    services.category_move(
        by=request.user, category_id=category_id, up=request.POST.get("direction") == "up"
    )
    return redirect("service:kb_categories")


@require_POST
def category_delete(request, category_id: int):
    """Delete an empty category; one still holding sub-categories or articles stays, and
    the edit page says what it holds."""
    try:
        services.category_delete(by=request.user, category_id=category_id)
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return redirect("service:kb_category_edit", category_id=category_id)
    messages.success(request, _("Category deleted."))
    return redirect("service:kb_categories")
