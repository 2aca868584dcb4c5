"""Background tasks of the duplicate workflow (django-tasks: the database worker, or RQ)."""

from django_tasks import task


@task()
def scan_duplicates(customer_ids: list[int] | None = None) -> int:
    """Look for duplicate customers (all, or pairs involving ``customer_ids``)."""
    from .services.scan import duplicates_scan

    return duplicates_scan(customer_ids=customer_ids)
