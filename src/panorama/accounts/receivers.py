"""Audit of logins: Django's auth framework announces them through its own signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from panorama.core.http import client_ip
from panorama.core.services import audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(kind="login", user=user, ip_address=client_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(kind="logout", user=user, ip_address=client_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        kind="login_failed", username=credentials.get("username", ""), ip_address=client_ip(request)
    )
