"""The sales pages. Each sub-domain adds its patterns from its own views module."""

from django.urls import path  # noqa: F401  (the sub-domains' patterns use it)

app_name = "sales"

urlpatterns: list = []
