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
    sql: Callable[[Dialect], str]


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
# Per customer: sales (sold orders and imported purchases) and their revenue; open cases.
ORDERS_PER_CUSTOMER = f"""(SELECT customer_id, COUNT(*) AS orders,
                      CAST(SUM(total) AS DECIMAL(18,2)) AS revenue
               FROM {SALES} s GROUP BY customer_id)"""
OPEN_CASES_PER_CUSTOMER = """(SELECT customer_id, COUNT(*) AS open_cases FROM fact_case
               WHERE is_open GROUP BY customer_id)"""
