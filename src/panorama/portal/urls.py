from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("login/<str:token>/", views.enter, name="enter"),
    path("logout/", views.sign_out, name="logout"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("callback/", views.callback, name="callback"),
    path("help/", views.faq, name="faq"),
]
