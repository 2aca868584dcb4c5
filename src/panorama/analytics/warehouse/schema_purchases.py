"""The imported order history (``panorama import orders``) in the warehouse.

An imported purchase is not a CRM sales order (see ``analytics.models``): it has a date,
an amount and maybe lines naming a product of the other system, but no status, owner,
delivery or catalogue product. So it has its own facts, ``fact_purchase`` and
``fact_purchase_line``, beside ``fact_order`` and ``fact_order_line``; the marts that
speak of sales (commercial results, profitability, churn and prioritisation, segments)
and the RFM and basket jobs read both through ``marts.base.SALES``; the operations mart
(statuses and delivery) reads the CRM's orders only.

Both tables are append-only in the source (a re-run of an import leaves its purchases as
they are): a refresh appends ids above the last loaded one, deletes the rows whose source
is gone (an erased customer's purchases cascade) and, through ``relink``, follows a merge
that moved a purchase to the surviving customer.
"""

from .tables import NEWER, Table, money

FACT_PURCHASE = Table(
    name="fact_purchase",
    columns="""purchase_id BIGINT PRIMARY KEY, customer_id BIGINT, import_id BIGINT,
        date_key DATE, amount DECIMAL(18,2), quantity DECIMAL(18,3)""",
    select=f"""
        SELECT p.id, p.customer_id, p.import_job_id, CAST(p.ordered_on AS DATE),
               {money("p.amount")}, CAST(p.quantity AS DECIMAL(18,3))
        FROM src.analytics_purchase p WHERE {{where}}""",
    mode="append",
    source="analytics_purchase",
    key="purchase_id",
    deletion_log=True,
    changed="p.id",
    mark="purchase_id",
    pushdown=(("analytics_purchase", NEWER),),
    relink="""
        UPDATE fact_purchase f SET customer_id = p.customer_id
        FROM src.analytics_purchase p
        WHERE p.id = f.purchase_id AND f.customer_id IS DISTINCT FROM p.customer_id""",
    reads=(
        "analytics_purchase: id, customer_id, import_job_id, ordered_on, amount, quantity "
        "(never the other system's order id, which may carry its customer id)",
        "analytics_deletedrow: id, table_name, row_id (the purchases deleted)",
    ),
)

# Loaded after fact_purchase: its relink copies the purchase's (already relinked) customer.
FACT_PURCHASE_LINE = Table(
    name="fact_purchase_line",
    columns="""line_id BIGINT PRIMARY KEY, purchase_id BIGINT, customer_id BIGINT,
        product VARCHAR, quantity DECIMAL(18,3), amount DECIMAL(18,2), date_key DATE""",
    select=f"""
        SELECT l.id, l.purchase_id, p.customer_id, NULLIF(l.product, ''),
               CAST(l.quantity AS DECIMAL(18,3)), {money("l.amount")},
               CAST(p.ordered_on AS DATE)
        FROM src.analytics_purchaseline l JOIN src.analytics_purchase p ON p.id = l.purchase_id
        WHERE {{where}}""",
    mode="append",
    source="analytics_purchaseline",
    key="line_id",
    deletion_log=True,
    deleted_with=(("analytics_purchase", "purchase_id"),),
    changed="l.id",
    mark="line_id",
    pushdown=(
        ("analytics_purchaseline", NEWER),
        (
            "analytics_purchase",
            f"id IN (SELECT purchase_id FROM analytics_purchaseline WHERE {NEWER})",
        ),
    ),
    relink="""
        UPDATE fact_purchase_line f SET customer_id = p.customer_id
        FROM fact_purchase p
        WHERE p.purchase_id = f.purchase_id AND f.customer_id IS DISTINCT FROM p.customer_id""",
    reads=(
        "analytics_purchaseline: id, purchase_id, product (the other system's product "
        "name, the basket item), quantity, amount",
        "analytics_purchase: customer_id, ordered_on",
        "analytics_deletedrow: id, table_name, row_id (the purchase lines deleted; a "
        "purchase deleted takes its lines)",
    ),
)
