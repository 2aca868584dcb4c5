"""What every mart is made of: the dialect, the mart record and the shared SQL pieces."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Dialect:
    name: str

    def days(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (dates)."""
        if self.name == "spark":
            return f"datediff(CAST({end} AS DATE), CAST({start} AS DATE))"
        return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"

    def month(self, expr: str) -> str:
        return f"CAST(date_trunc('month', {expr}) AS DATE)"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


@dataclass(frozen=True)
class Mart:
    name: str
    department: Promise
    title: Promise
    meaning: Promise
    # ``sql(dialect)`` is the whole mart; a mart ``keyed`` by customer (one row per
    # customer) also takes ``sql(dialect, keys)``: only the customers whose ids
    # ``keys`` (a subquery) selects, for the refresh's per-customer rebuild.
    sql: Callable[..., str]
    keyed: bool = False
    # The star's tables the mart reads (a keyed mart is rebuilt whole when one of them
    # changed in a way the refresh cannot name by customer, see ``changes.py``).
    inputs: tuple[str, ...] = ()
    # Reads ``current_date`` (days since, last 90 days): rebuilt whole on a new day.
    dated: bool = False


# The customer's current owner and team, joined into every mart for record-level access.
CURRENT = "(SELECT customer_id, owner_id, team_id FROM dim_customer WHERE is_current)"
SOLD = "status NOT IN ('draft', 'cancelled')"
M = "CAST({} AS DECIMAL(18,2))"
# Every sale: the CRM's sold orders and the imported order history (``fact_purchase``),
# one row each with its customer, day, amount and where it comes from ('crm' or 'import').
SALES = f"""(SELECT customer_id, date_key, total, 'crm' AS source FROM fact_order
               WHERE {SOLD}
               UNION ALL
               SELECT customer_id, date_key, amount, 'import' FROM fact_purchase)"""


def among(keys: str, column: str = "customer_id") -> str:
    """The condition keeping ``keys``' customers (``TRUE`` without keys)."""
    return f"{column} IN ({keys})" if keys else "TRUE"


def orders_per_customer(keys: str = "") -> str:
    """Per customer: sales (sold orders and imported purchases) and their revenue."""
    return f"""(SELECT customer_id, COUNT(*) AS orders,
                      CAST(SUM(total) AS DECIMAL(18,2)) AS revenue
               FROM {SALES} s WHERE {among(keys)} GROUP BY customer_id)"""


def open_cases_per_customer(keys: str = "") -> str:
    return f"""(SELECT customer_id, COUNT(*) AS open_cases FROM fact_case
               WHERE is_open AND {among(keys)} GROUP BY customer_id)"""


ORDERS_PER_CUSTOMER = orders_per_customer()
OPEN_CASES_PER_CUSTOMER = open_cases_per_customer()
