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
