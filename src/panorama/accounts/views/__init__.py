from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from panorama.core.exceptions import DomainError

from ..forms import LoginForm, PasswordChangeForm, PasswordSetForm
from ..models import User
from ..services import user_from_password_link


@method_decorator(login_not_required, name="dispatch")  # the way in
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    # Not PUT, which FormView would treat as POST.
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        # Before the signed-in user's redirect, which would answer any method.
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


@require_POST
def preferences(request):
    """Save the user's language ("" follows the browser) and go back where he was."""
    language = request.POST.get("language", "")
    if language == "" or language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
        with translation.override(language or request.LANGUAGE_CODE):
            messages.success(request, _("Preferences saved."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "customers:list"
    return redirect(target)


@require_http_methods(["GET", "POST"])
def password_change(request):
    """The signed-in user changes his own password; his other sessions end and his API
    tokens are revoked (``user_password_change``), and he is told so."""
    form = PasswordChangeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            result = form.save()
        except DomainError:
            pass  # the form now carries the service's message
        else:
            update_session_auth_hash(request, result.user)  # this session goes on
            text = _("Your password was changed. Your other sessions were signed out.")
            if result.tokens_revoked:
                text += " " + ngettext(
                    "Your API token was revoked: ask an administrator for a new one.",
                    "Your %(n)d API tokens were revoked: ask an administrator for new ones.",
                    result.tokens_revoked,
                ) % {"n": result.tokens_revoked}
            messages.success(request, text)
            return redirect("accounts:password_change")
    status = 200 if request.method == "GET" or form.is_valid() else 422
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "rules": password_validators_help_texts()},
        status=status,
    )


@login_not_required  # the invited user has no password yet: the signed link is his key
@require_http_methods(["GET", "POST"])
def password_set(request, uid: str, token: str):
    """The set-password link an administrator gives an invited user: he chooses his
    password (the policy's messages in his language), is signed in and lands on the home
    page. An expired, used or tampered link gets a page saying so."""
    user = user_from_password_link(uid=uid, token=token)
    if user is None:
        return render(request, "accounts/password_set_invalid.html", status=410)
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    form = PasswordSetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except DomainError:
            pass  # the form now carries the policy's message
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Your password is set. Welcome to Panorama."))
            return redirect("/")
    status = 200 if request.method == "GET" else 422
    return render(
        request,
        "accounts/password_set.html",
        {"form": form, "rules": password_validators_help_texts(), "target": user},
        status=status,
    )
