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
    username, ip_address = credentials.get("username", ""), client_ip(request)
    throttled = getattr(request, "login_throttled", None)
    if throttled is not None:  # refused by the throttle: the password was not checked
        audit_record(
            kind="login_throttled",
            username=username,
            ip_address=ip_address,
            retry_after=throttled.retry_after,
            scopes=throttled.scopes,
        )
        return
    detail = {}
    if lock_seconds := getattr(request, "login_lock_seconds", 0):
        detail["locked_for"] = lock_seconds  # this failure started a lock
    audit_record(kind="login_failed", username=username, ip_address=ip_address, **detail)
