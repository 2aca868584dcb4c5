"""What the portal shows a signed-in customer: only his own records, through the owning
apps' selectors (a record of anyone else is a 404, as for staff out of scope)."""

from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound
from panorama.customers.models import Customer
from panorama.service.models import Case, CaseMessage
from panorama.service.selectors import case_messages, cases_visible_to

CASES_SHOWN = 50  # of each kind, newest first


def customer_cases(*, customer: Customer) -> dict[str, list[Case]]:
    """His open and his closed (resolved or closed) cases, newest first: two queries."""
    mine = cases_visible_to(None).filter(customer=customer).order_by("-id")
    return {
        "open": list(mine.filter(status__in=Case.OPEN_STATUSES)[:CASES_SHOWN]),
        "closed": list(mine.exclude(status__in=Case.OPEN_STATUSES)[:CASES_SHOWN]),
    }


def customer_case_get(*, customer: Customer, case_id: int) -> Case:
    case = cases_visible_to(None).filter(customer=customer, pk=case_id).first()
    if case is None:
        raise NotFound(_("There is no such case in your customer area."))
    return case


def case_thread(*, case: Case) -> list[CaseMessage]:
    """What was said to and by the customer on his case: never the internal notes."""
    return case_messages(case=case, include_notes=False)
