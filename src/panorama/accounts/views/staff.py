"""The staff screens of users, teams and API tokens (administrators: the selectors and
the services check it, so a rep gets their 403 on every one of these pages)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from .. import selectors, services
from ..forms import TeamForm, TokenForm, UserCreateForm, UserEditForm
from ..lists import TEAMS, TOKENS, USERS
from ..permissions import ensure_can


def staff_list_page(request, definition, *, current: str, title, subtitle, new: tuple | None):
    """A list of the administration screens: their tabs, the title, the main action."""
    context = {"current": current, "page_title": title, "page_subtitle": subtitle}
    if new is not None:
        context["new_url"], context["new_label"] = reverse(new[0]), new[1]
    return list_response(request, definition, template="accounts/staff/list.html", context=context)


def _form_page(request, template: str, form, status_ok: int = 200, **context):
    form.mark_errors()
    return render(
        request, template, {"form": form, **context}, status=422 if form.errors else status_ok
    )


# --- users -----------------------------------------------------------------------------


@require_GET
def user_list(request):
    ensure_can(request.user, "accounts.manage_users")
    return staff_list_page(
        request,
        USERS,
        current="users",
        title=_("Users"),
        subtitle=_(
            "Who signs in, with which role and in which teams. "
            "Users are deactivated, never deleted."
        ),
        new=("staff:user_new", _("New user")),
    )


@require_http_methods(["GET", "POST"])
def user_new(request):
    ensure_can(request.user, "accounts.manage_users")
    form = UserCreateForm(request.POST or None, initial={"role": "sales_rep"})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("staff:user_edit", user.pk)
    return _form_page(request, "accounts/staff/user_form.html", form)


@require_http_methods(["GET", "POST"])
def user_edit(request, user_id: int):
    user = selectors.user_get(by=request.user, user_id=user_id)
    form = UserEditForm(request.POST or None, initial=UserEditForm.initial_of(user))
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.values().items() if k in form.changed_data}
        try:
            services.user_update(by=request.user, user=user, changes=changes)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": user.username})
            return redirect("staff:user_edit", user.pk)
    return _form_page(request, "accounts/staff/user_form.html", form, target=user)


@require_POST
def user_active(request, user_id: int):
    """Deactivate or reactivate (``active`` "0" / "1"); a refusal comes back as a message."""
    user = selectors.user_get(by=request.user, user_id=user_id)
    try:
        if request.POST.get("active") == "1":
            services.user_reactivate(by=request.user, user=user)
            messages.success(request, _("%(name)s can sign in again.") % {"name": user.username})
        else:
            services.user_deactivate(by=request.user, user=user)
            messages.success(
                request,
                _("%(name)s is deactivated: he can no longer sign in or use his API tokens.")
                % {"name": user.username},
            )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("staff:user_edit", user.pk)


@require_POST
def user_password_link(request, user_id: int):
    """A set-password link for the user (an invited one's way in), shown once here for
    the administrator to send; it expires and works once."""
    user = selectors.user_get(by=request.user, user_id=user_id)
    try:
        path = services.user_password_link(by=request.user, user=user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("staff:user_edit", user.pk)
    form = UserEditForm(initial=UserEditForm.initial_of(user))
    response = _form_page(
        request,
        "accounts/staff/user_form.html",
        form,
        target=user,
        password_link=request.build_absolute_uri(path),
        link_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    )
    response["Cache-Control"] = "no-store"
    return response


# --- teams -----------------------------------------------------------------------------


@require_GET
def team_list(request):
    ensure_can(request.user, "accounts.manage_users")
    return staff_list_page(
        request,
        TEAMS,
        current="teams",
        title=_("Teams"),
        subtitle=_("A rep sees his teams' customers; a manager, the teams he manages."),
        new=("staff:team_new", _("New team")),
    )


@require_http_methods(["GET", "POST"])
def team_new(request):
    ensure_can(request.user, "accounts.manage_users")
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.values()
        try:
            team = services.team_create(by=request.user, **data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("staff:team_list")
    return _form_page(request, "accounts/staff/team_form.html", form)


@require_http_methods(["GET", "POST"])
def team_edit(request, team_id: int):
    team = selectors.team_get(by=request.user, team_id=team_id)
    form = TeamForm(request.POST or None, initial=TeamForm.initial_of(team))
    if request.method == "POST" and form.is_valid():
        data = form.values()
        try:
            services.team_update(by=request.user, team=team, **data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect("staff:team_list")
    return _form_page(request, "accounts/staff/team_form.html", form, team=team)


# --- API tokens ------------------------------------------------------------------------


@require_GET
def token_list(request):
    ensure_can(request.user, "accounts.manage_tokens")
    return staff_list_page(
        request,
        TOKENS,
        current="tokens",
        title=_("API tokens"),
        subtitle=_("Each token acts as its user in the API. Revoke one as soon as it leaks."),
        new=("staff:token_new", _("New token")),
    )


@never_cache  # the answer to the POST holds the clear key: no cache may keep it
@require_http_methods(["GET", "POST"])
def token_new(request):
    ensure_can(request.user, "accounts.manage_tokens")
    form = TokenForm(request.POST or None, initial={"user": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.api_token_issue(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return render(
                request, "accounts/staff/token_created.html", {"token": token, "key": key}
            )
    return _form_page(request, "accounts/staff/token_form.html", form)


@require_http_methods(["GET", "POST"])
def token_detail(request, token_id: int):
    ensure_can(request.user, "accounts.manage_tokens")
    token = selectors.token_get(by=request.user, token_id=token_id)
    if request.method == "POST":
        services.api_token_revoke(token=token, by=request.user)
        messages.success(
            request, _("Token %(prefix)s… revoked: it no longer works.") % {"prefix": token.prefix}
        )
        return redirect("staff:token_list")
    return render(request, "accounts/staff/token_detail.html", {"token": token})
