from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import LoginForm
from .models import User


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
