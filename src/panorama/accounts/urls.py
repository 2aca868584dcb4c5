from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .views import staff

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("password/", views.password_change, name="password_change"),
    path("password/set/<str:uid>/<str:token>/", views.password_set, name="password_set"),
]

# The administration screens, under /settings/ with the core's audit log and the custom
# fields (config/urls.py gathers them in the "staff" namespace).
staff_urlpatterns = [
    path("users/", staff.user_list, name="user_list"),
    path("users/new/", staff.user_new, name="user_new"),
    path("users/<int:user_id>/", staff.user_edit, name="user_edit"),
    path("users/<int:user_id>/active/", staff.user_active, name="user_active"),
    path("users/<int:user_id>/password-link/", staff.user_password_link, name="user_password_link"),
    path("teams/", staff.team_list, name="team_list"),
    path("teams/new/", staff.team_new, name="team_new"),
    path("teams/<int:team_id>/", staff.team_edit, name="team_edit"),
    path("tokens/", staff.token_list, name="token_list"),
    path("tokens/new/", staff.token_new, name="token_new"),
    path("tokens/<int:token_id>/", staff.token_detail, name="token_detail"),
]
