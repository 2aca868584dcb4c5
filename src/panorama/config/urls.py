from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from .api import api


@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list", permanent=False)),
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("accounts/", include("panorama.accounts.urls")),
    path("customers/", include("panorama.customers.urls")),
    path("channels/", include("panorama.channels.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
