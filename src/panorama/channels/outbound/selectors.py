from panorama.accounts.models import User
from panorama.customers.selectors import customer_get

from .models import MailTemplate, SentMail
from .services import identities_usable

__all__ = ["identities_usable", "sent_mails", "templates"]


def sent_mails(*, user: User, customer_id: int, limit: int = 50) -> list[SentMail]:
    """What was sent to a customer ``user`` sees, newest first (one query)."""
    customer = customer_get(user=user, customer_id=customer_id)
    qs = SentMail.objects.filter(customer=customer).select_related("identity")
    return list(qs[: max(1, min(limit, 200))])


def templates(*, language: str = "") -> list[MailTemplate]:
    qs = MailTemplate.objects.filter(active=True)
    if language:
        qs = qs.filter(language=language)
    return list(qs)
