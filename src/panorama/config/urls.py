from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import RedirectView
from django.views.i18n import set_language

from panorama.accounts.urls import staff_urlpatterns
from panorama.core.views.audit import audit_log
from panorama.customers.views.custom_fields import (
    custom_field_active,
    custom_field_edit,
    custom_field_list,
    custom_field_new,
)
from panorama.sales.views.webforms import webform_submit_view
from panorama.service.urls import help_urlpatterns
from panorama.service.views.calls import callback_form_submit_view

from .api import api_urls


@login_not_required
@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


_admin_sign_in = admin.site.login


@login_not_required
@require_http_methods(["GET", "POST"])
def admin_sign_in(request, extra_context=None):
    """Staff sign in on the one sign-in page (throttled, with its messages): the admin's
    own form, public in Django, sends a stranger there with the page he asked for."""
    if not request.user.is_authenticated:
        wanted = request.GET.get(REDIRECT_FIELD_NAME) or request.get_full_path()
        return redirect_to_login(wanted, settings.LOGIN_URL)
    return _admin_sign_in(request, extra_context)  # signed in, not staff: it says so


admin.site.login = admin_sign_in  # type: ignore[method-assign]  # before admin.site.urls below builds its patterns

# The administration screens (users, teams, API tokens, custom fields, audit log), each
# from the app that owns it, under one address and one namespace.
settings_urlpatterns = [
    *staff_urlpatterns,
    path("custom-fields/", custom_field_list, name="custom_field_list"),
    path("custom-fields/new/", custom_field_new, name="custom_field_new"),
    path("custom-fields/<int:field_id>/", custom_field_edit, name="custom_field_edit"),
    path(
        "custom-fields/<int:field_id>/deactivate/",
        custom_field_active,
        {"active": False},
        name="custom_field_deactivate",
    ),
    path(
        "custom-fields/<int:field_id>/reactivate/",
        custom_field_active,
        {"active": True},
        name="custom_field_reactivate",
    ),
    path("audit/", audit_log, name="audit_log"),
    path("", RedirectView.as_view(pattern_name="staff:user_list"), name="home"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="automation:home", permanent=False)),
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("accounts/", include("panorama.accounts.urls")),
    path("customers/", include("panorama.customers.urls")),
    path("channels/", include("panorama.channels.urls")),
    path("sales/", include("panorama.sales.urls")),
    path("catalog/", include("panorama.catalog.urls")),
    path("service/", include("panorama.service.urls")),
    path("marketing/", include("panorama.marketing.urls")),
    path("loyalty/", include("panorama.loyalty.urls")),
    path("automation/", include("panorama.automation.urls")),
    path("analytics/", include("panorama.analytics.urls")),
    path("ui/", include("panorama.core.urls")),
    path("settings/", include((settings_urlpatterns, "staff"))),
    # The language switch of the sign-in page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", api_urls()),
    # The public web forms' endpoint (sales leads): no login, the form's token instead.
    path("forms/<str:token>/submit", webform_submit_view, name="webform_submit"),
    # The public help centre (the knowledge base's public articles): no login.
    path("help/", include((help_urlpatterns, "help"))),
    # The customer portal: its own sign-in (an e-mailed link) and session, apart from staff.
    path("portal/", include("panorama.portal.urls")),
    # The public "call me back" forms (service): the form's token, like the lead forms.
    path(
        "forms/callback/<str:token>/submit",
        callback_form_submit_view,
        name="callback_form_submit",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
