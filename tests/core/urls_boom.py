"""A URLconf with a view that fails, for the 500 page's tests."""

from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def boom(request):
    raise RuntimeError("the disk is on fire")


urlpatterns = [path("boom/", boom), path("", include("panorama.config.urls"))]
