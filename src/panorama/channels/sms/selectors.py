from django.db.models import Count, Max

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.customers.selectors import customer_get

from ..fax.models import Fax
from .models import TextMessage

UNKNOWN_LIMIT = 200


def unknown_numbers(*, user: User | None) -> list[dict]:
    """Numbers whose messages or faxes wait for a customer, newest first: two grouped
    queries, merged."""
    ensure_can(user, "channels.link_sender")
    rows: dict[str, dict] = {}
    texts = (
        TextMessage.objects.filter(status=TextMessage.Status.UNKNOWN)
        .values("number")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by("-last")[:UNKNOWN_LIMIT]
    )
    for row in texts:
        rows[row["number"]] = {
            "number": row["number"],
            "messages": row["n"],
            "faxes": 0,
            "last_at": row["last"],
        }
    faxes = (
        Fax.objects.filter(status=Fax.Status.UNKNOWN)
        .values("number")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by("-last")[:UNKNOWN_LIMIT]
    )
    for row in faxes:
        item = rows.setdefault(
            row["number"],
            {"number": row["number"], "messages": 0, "faxes": 0, "last_at": row["last"]},
        )
        item["faxes"] = row["n"]
        item["last_at"] = max(item["last_at"], row["last"])
    return sorted(rows.values(), key=lambda r: r["last_at"], reverse=True)


def unknown_messages(*, user: User | None, number: str) -> list[TextMessage]:
    ensure_can(user, "channels.link_sender")
    return list(
        TextMessage.objects.filter(status=TextMessage.Status.UNKNOWN, number=number)
        .select_related("account")
        .order_by("-created_at")[:100]
    )


def text_messages(*, user: User, customer_id: int, limit: int = 50) -> list[TextMessage]:
    customer = customer_get(user=user, customer_id=customer_id)
    return list(TextMessage.objects.filter(customer=customer)[: max(1, min(limit, 200))])
