from django.urls import path

from . import views
from .views import account as views_account
from .views import sales as views_sales

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
    path("account/", views_account.details, name="account"),
    path("account/email/<str:token>/", views_account.email_confirm, name="email_confirm"),
    path("account/consents/", views_account.consents, name="consents"),
    path("account/contracts/", views_account.contracts, name="contracts"),
    path("tracking-consent/", views_account.tracking_consent, name="tracking_consent"),
    path("quotes/", views_sales.quote_list, name="quotes"),
    path("quotes/<int:quote_id>/", views_sales.quote_detail, name="quote"),
    path("quotes/<int:quote_id>/pdf/", views_sales.quote_pdf_download, name="quote_pdf"),
    path("quotes/<int:quote_id>/accept/", views_sales.quote_accept_view, name="quote_accept"),
    path("quotes/<int:quote_id>/decline/", views_sales.quote_decline_view, name="quote_decline"),
    path("orders/", views_sales.order_list, name="orders"),
    path("orders/<int:order_id>/", views_sales.order_detail, name="order"),
    path("prices/", views_sales.prices, name="prices"),
]
