from django.urls import path

from . import views

app_name = "loyalty"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:programme_id>/tiers/", views.tier_add, name="tier_add"),
    path("<int:programme_id>/tiers/<int:tier_id>/remove/", views.tier_remove, name="tier_remove"),
    path("<int:programme_id>/rules/", views.rule_add, name="rule_add"),
    path(
        "<int:programme_id>/rules/<int:earning_rule_id>/edit/",
        views.rule_edit,
        name="rule_edit",
    ),
    path(
        "<int:programme_id>/rules/<int:earning_rule_id>/active/",
        views.rule_active,
        name="rule_active",
    ),
    path("<int:programme_id>/rewards/", views.reward_add, name="reward_add"),
    path(
        "<int:programme_id>/rewards/<int:reward_id>/active/",
        views.reward_active,
        name="reward_active",
    ),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("members/<int:member_id>/redeem/", views.member_redeem, name="member_redeem"),
    path("members/<int:member_id>/adjust/", views.member_adjust, name="member_adjust"),
    path("customers/<int:customer_id>/enrol/", views.member_enrol, name="member_enrol"),
]
