"""``{% load permissions %}`` and ``{% if user|can:"customers.merge" %}``: a template asks
the question the service will check, so it offers only what the user may do."""

from django import template

from panorama.accounts import permissions

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return permissions.can(user, action)
