from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path(
        "customers/<int:customer_id>/interactions/",
        views.interaction_create,
        name="interaction_create",
    ),
    path("customers/<int:customer_id>/timeline/", views.timeline, name="timeline"),
]

# Failed sends, every channel (failures.py, failures_page.py).
from . import failures_page  # noqa: E402

urlpatterns += [
    path("failed/", failures_page.failed_list, name="failed_list"),
    path("failed/<int:interaction_id>/retry/", failures_page.failed_retry, name="failed_retry"),
]

# Inbound e-mail (mail/views.py).
from .mail import views as mail  # noqa: E402

urlpatterns += [
    path("mailboxes/", mail.mailbox_list, name="mailbox_list"),
    path("mailboxes/new/", mail.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:mailbox_id>/", mail.mailbox_ledger, name="mailbox_ledger"),
    path("mailboxes/<int:mailbox_id>/edit/", mail.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/test/", mail.mailbox_test, name="mailbox_test"),
    path("mailboxes/<int:mailbox_id>/sync/", mail.mailbox_sync, name="mailbox_sync"),
    path("mail/<int:entry_id>/retry/", mail.mail_retry, name="mail_retry"),
    path("mail/unknown/", mail.unknown_senders, name="unknown_senders"),
    path("mail/unknown/sender/", mail.unknown_sender_detail, name="unknown_sender_detail"),
    path("mail/unknown/find/", mail.unknown_sender_find, name="unknown_sender_find"),
    path("mail/unknown/link/", mail.unknown_sender_link, name="unknown_sender_link"),
    path("mail/unknown/create/", mail.unknown_sender_create, name="unknown_sender_create"),
    path("mail/attachments/<int:attachment_id>/", mail.mail_attachment, name="mail_attachment"),
]

# Outbound e-mail, messaging, fax and visits (their sub-packages' views).
from .fax import views as fax  # noqa: E402
from .outbound import views as outbound  # noqa: E402
from .sms import views as sms  # noqa: E402
from .visits import views as visits  # noqa: E402

urlpatterns += [
    path("customers/<int:customer_id>/email/", outbound.compose, name="compose"),
    path("customers/<int:customer_id>/text/", sms.text_send, name="text_send"),
    path("customers/<int:customer_id>/fax/", fax.fax_send, name="fax_send"),
    path("numbers/unknown/", sms.unknown_numbers, name="unknown_numbers"),
    path("numbers/unknown/number/", sms.unknown_number_detail, name="unknown_number_detail"),
    path("numbers/unknown/link/", sms.unknown_number_link, name="unknown_number_link"),
    path("faxes/new/", fax.fax_upload, name="fax_upload"),
    path("faxes/<int:fax_id>/", fax.fax_detail, name="fax_detail"),
    path("faxes/<int:fax_id>/document/", fax.fax_document, name="fax_document"),
    path("faxes/<int:fax_id>/preview/", fax.fax_preview, name="fax_preview"),
    path("faxes/<int:fax_id>/case/", fax.fax_open_case, name="fax_open_case"),
    path("visits/new/", visits.visit_log, name="visit_log"),
]

# Web chat (chat/): the agents' pages and the widget's public endpoints; channel setup
# outside the admin (setup/).
from .chat import views as chat  # noqa: E402
from .chat import widget  # noqa: E402
from .setup import views as setup  # noqa: E402

urlpatterns += [
    path("chats/", chat.chat_queue, name="chat_queue"),
    path("chats/stream/", chat.chat_queue_stream, name="chat_queue_stream"),
    path("chats/<int:conversation_id>/", chat.chat_detail, name="chat_detail"),
    path("chats/<int:conversation_id>/stream/", chat.chat_stream, name="chat_stream"),
    path("chats/<int:conversation_id>/messages/", chat.chat_messages, name="chat_messages"),
    path("chats/<int:conversation_id>/reply/", chat.chat_reply, name="chat_reply"),
    path("chats/<int:conversation_id>/take/", chat.chat_take, name="chat_take"),
    path("chats/<int:conversation_id>/transfer/", chat.chat_transfer, name="chat_transfer"),
    path("chats/<int:conversation_id>/close/", chat.chat_close, name="chat_close"),
    path("chats/<int:conversation_id>/link/", chat.chat_link, name="chat_link"),
    path(
        "chats/<int:conversation_id>/customer/",
        chat.chat_create_customer,
        name="chat_create_customer",
    ),
    path("chat/w/<str:public_key>/", widget.widget_status, name="widget_status"),
    path("chat/w/<str:public_key>/start/", widget.widget_start, name="widget_start"),
    path("chat/w/<str:public_key>/<str:token>/send/", widget.widget_send, name="widget_send"),
    path("chat/w/<str:public_key>/<str:token>/close/", widget.widget_close, name="widget_close"),
    path(
        "chat/w/<str:public_key>/<str:token>/messages/",
        widget.widget_messages,
        name="widget_messages",
    ),
    path("chat/w/<str:public_key>/<str:token>/stream/", widget.widget_stream, name="widget_stream"),
    path("setup/identities/", setup.identity_list, name="identity_list"),
    path("setup/identities/new/", setup.identity_new, name="identity_new"),
    path("setup/identities/<int:identity_id>/", setup.identity_edit, name="identity_edit"),
    path("setup/templates/", setup.mail_template_list, name="mail_template_list"),
    path("setup/templates/new/", setup.mail_template_new, name="mail_template_new"),
    path(
        "setup/templates/<int:template_id>/",
        setup.mail_template_edit,
        name="mail_template_edit",
    ),
    path("setup/accounts/", setup.account_list, name="account_list"),
    path("setup/accounts/new/", setup.account_new, name="account_new"),
    path("setup/accounts/<int:account_id>/", setup.account_edit, name="account_edit"),
    path("setup/sites/", setup.site_list, name="site_list"),
    path("setup/sites/new/", setup.site_new, name="site_new"),
    path("setup/sites/<int:site_id>/", setup.site_edit, name="site_edit"),
]
