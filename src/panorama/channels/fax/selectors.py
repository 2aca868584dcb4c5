from panorama.accounts.models import User
from panorama.customers.selectors import customer_get

from .models import Fax
from .services import fax_get

__all__ = ["customer_faxes", "fax_get"]


def customer_faxes(*, user: User, customer_id: int, limit: int = 50) -> list[Fax]:
    customer = customer_get(user=user, customer_id=customer_id)
    return list(Fax.objects.filter(customer=customer)[: max(1, min(limit, 200))])
