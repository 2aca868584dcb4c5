from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path(
        "customers/<int:customer_id>/interactions/",
        views.interaction_create,
        name="interaction_create",
    ),
]
