"""The star schema: every table of the warehouse, the columns it reads from the
operational database, and how a refresh finds what changed.

Facts carry ``customer_id``, the customer's durable key; the version of the customer in
force when a fact happened is the ``dim_customer`` row with
``valid_from <= at < valid_to``. Personal data lives only in ``dim_customer`` (and the
staff names in ``dim_staff``): no fact copies a name, an e-mail, a message body or a
free-text note, so an erased customer leaves nothing personal behind once his rows go.

Refresh modes (``Table.mode``):

- ``updated``: rows whose ``updated_at`` (or another change column) is at or after the
  last load's high-water mark are deleted and loaded again.
- ``append``: an append-only log (interactions, stage changes, web events, loyalty
  movements, imported purchases and their lines): ids above the highest loaded one
  (and ``relink`` where one column of a loaded row may still change: a web event's
  customer once the visitor is identified).
- ``children``: order lines, reloaded for the orders that changed.

Every table with a ``source`` (``updated``, ``append``, ``children`` and the customer
dimension) deletes the rows gone from the source (an erasure, a cascade, plain SQL) by
the ids the source's deletion log (``analytics_deletedrow``, written by triggers, see
``triggers.py`` and ``deletions.py``) holds, plus those of ``deleted_with`` (an order
deleted takes its lines); by an anti-join on every source id when the log is not
usable (no mark yet, a trigger missing for a while).
- ``replace``: small tables, or tables without a change column (billing
  incidents, products, staff, campaigns, the campaign ledger, journey enrolments): read
  whole again.
- ``scd2``: the customer dimension (see ``table_load.customers_merge``).
- ``segments``: segment membership, read whole again: static lists by the scanner,
  dynamic segments by the marketing segment compiler (see ``segments.py``).
"""

from .schema_marketing import (
    DIM_CAMPAIGN,
    DIM_SEGMENT,
    FACT_CAMPAIGN_RESPONSE,
    FACT_JOURNEY_ENROLMENT,
    FACT_LOYALTY_MOVEMENT,
    FACT_SEGMENT_MEMBERSHIP,
    FACT_WEB_EVENT,
)
from .schema_purchases import FACT_PURCHASE, FACT_PURCHASE_LINE
from .tables import NEWER, Table, money, since, ts

END_OF_TIME = "TIMESTAMP '9999-12-31 00:00:00'"

DIM_CUSTOMER = Table(
    name="dim_customer",
    columns="""
        customer_key BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL,
        valid_from TIMESTAMP NOT NULL, valid_to TIMESTAMP NOT NULL, is_current BOOLEAN NOT NULL,
        kind VARCHAR, status VARCHAR, owner_id BIGINT, team_id BIGINT, language VARCHAR,
        merged_into_id BIGINT,
        display_name VARCHAR, first_name VARCHAR, last_name VARCHAR, birth_date DATE,
        created_at TIMESTAMP, updated_at TIMESTAMP""",
    select=f"""
        SELECT c.id AS customer_id, c.kind, c.status, c.owner_id, c.team_id,
               NULLIF(c.language, '') AS language, c.merged_into_id,
               c.display_name, NULLIF(c.first_name, '') AS first_name,
               NULLIF(c.last_name, '') AS last_name, CAST(c.birth_date AS DATE) AS birth_date,
               {ts("c.created_at")} AS created_at, {ts("c.updated_at")} AS updated_at
        FROM src.customers_customer c WHERE {{where}}""",
    mode="scd2",
    source="customers_customer",
    key="customer_id",
    deletion_log=True,
    changed=ts("c.updated_at"),
    mark="updated_at",
    pushdown=(("customers_customer", since()),),
    reads=(
        "customers_customer: id, kind, status, owner_id, team_id, language, merged_into_id "
        "(type 2: a change opens a new version); display_name, first_name, last_name, "
        "birth_date (personal data, type 1: corrected in every version); created_at, "
        "updated_at (change detection)",
        "analytics_deletedrow: id, table_name, row_id (the customers deleted (every version goes))",
    ),
)
# The attributes whose change opens a new version of the customer.
SCD2_ATTRIBUTES = ("kind", "status", "owner_id", "team_id", "language", "merged_into_id")
# Personal data: overwritten in every version (a correction is a correction) and gone
# with the customer.
SCD1_ATTRIBUTES = ("display_name", "first_name", "last_name", "birth_date")

DIM_PRODUCT = Table(
    name="dim_product",
    columns="""product_id BIGINT PRIMARY KEY, sku VARCHAR, name VARCHAR, kind VARCHAR,
        category_id BIGINT, category VARCHAR, list_price DECIMAL(18,2), currency VARCHAR,
        active BOOLEAN, updated_at TIMESTAMP""",
    select=f"""
        SELECT p.id, p.sku, p.name, p.kind, p.category_id, cat.name,
               {money("p.list_price")}, p.currency, CAST(p.active AS BOOLEAN),
               {ts("p.updated_at")}
        FROM src.catalog_product p LEFT JOIN src.catalog_category cat ON cat.id = p.category_id
        WHERE {{where}}""",
    mode="replace",
    reads=(
        "catalog_product: id, sku, name, kind, category_id, list_price, currency, active, "
        "updated_at",
        "catalog_category: id, name",
    ),
)

DIM_STAFF = Table(
    name="dim_staff",
    columns="""staff_id BIGINT PRIMARY KEY, username VARCHAR, name VARCHAR, role VARCHAR,
        active BOOLEAN""",
    select="""
        SELECT u.id, u.username, TRIM(u.first_name || ' ' || u.last_name), u.role,
               CAST(u.is_active AS BOOLEAN)
        FROM src.accounts_user u WHERE {where}""",
    mode="replace",
    reads=("accounts_user: id, username, first_name, last_name, role, is_active",),
)

BRIDGE_STAFF_TEAM = Table(
    name="bridge_staff_team",
    columns="staff_id BIGINT, team_id BIGINT, team VARCHAR",
    select="""
        SELECT m.user_id, m.team_id, t.name
        FROM src.accounts_user_teams m JOIN src.accounts_team t ON t.id = m.team_id
        WHERE {where}""",
    mode="replace",
    reads=("accounts_user_teams: user_id, team_id", "accounts_team: id, name"),
)

# Channel codes as the channels app stores them; labels are translated in the UI.
DIM_CHANNEL = Table(
    name="dim_channel",
    columns="channel VARCHAR PRIMARY KEY, position INTEGER, is_digital BOOLEAN",
    select="",
    mode="static",
    reads=("channels_interaction.channel choices (code list, no table read)",),
)

DIM_DATE = Table(
    name="dim_date",
    columns="""date_key DATE PRIMARY KEY, year INTEGER, quarter INTEGER, month INTEGER,
        month_start DATE, iso_week INTEGER, day_of_week INTEGER, is_weekend BOOLEAN""",
    select="",
    mode="static",
    reads=("generated: one row per day, 2000-01-01 to five years ahead",),
)

FACT_INTERACTION = Table(
    name="fact_interaction",
    columns="""interaction_id BIGINT PRIMARY KEY, customer_id BIGINT, channel VARCHAR,
        direction VARCHAR, outcome VARCHAR, agent_id BIGINT, occurred_at TIMESTAMP,
        date_key DATE, duration_seconds BIGINT""",
    select=f"""
        SELECT i.id, i.customer_id, i.channel, i.direction, NULLIF(i.outcome, ''), i.agent_id,
               {ts("i.occurred_at")}, CAST({ts("i.occurred_at")} AS DATE), i.duration_seconds
        FROM src.channels_interaction i WHERE {{where}}""",
    mode="append",
    source="channels_interaction",
    key="interaction_id",
    changed="i.id",
    mark="interaction_id",
    pushdown=(("channels_interaction", NEWER),),
    deletion_log=True,
    reads=(
        "channels_interaction: id, customer_id, channel, direction, outcome, agent_id, "
        "occurred_at, duration_seconds (never subject, body or metadata)",
        "analytics_deletedrow: id, table_name, row_id (the interactions deleted)",
    ),
)

FACT_ORDER = Table(
    name="fact_order",
    columns="""order_id BIGINT PRIMARY KEY, reference VARCHAR, customer_id BIGINT,
        owner_id BIGINT, team_id BIGINT, status VARCHAR, currency VARCHAR, net DECIMAL(18,2),
        tax DECIMAL(18,2), total DECIMAL(18,2), expected_delivery DATE,
        created_at TIMESTAMP, date_key DATE, confirmed_at TIMESTAMP, shipped_at TIMESTAMP,
        delivered_at TIMESTAMP, cancelled_at TIMESTAMP, delivery_days INTEGER,
        delivered_on_time BOOLEAN, updated_at TIMESTAMP""",
    select=f"""
        SELECT o.id, o.reference, o.customer_id, o.owner_id, o.team_id, o.status, o.currency,
               {money("o.net")}, {money("o.tax")}, {money("o.total")},
               CAST(o.expected_delivery AS DATE), {ts("o.created_at")},
               CAST({ts("o.created_at")} AS DATE), {ts("o.confirmed_at")},
               {ts("o.shipped_at")}, {ts("o.delivered_at")}, {ts("o.cancelled_at")},
               CAST(date_diff('day', CAST({ts("o.created_at")} AS DATE),
                              CAST({ts("o.delivered_at")} AS DATE)) AS INTEGER),
               CASE WHEN o.delivered_at IS NULL OR o.expected_delivery IS NULL THEN NULL
                    ELSE CAST({ts("o.delivered_at")} AS DATE)
                         <= CAST(o.expected_delivery AS DATE) END,
               {ts("o.updated_at")}
        FROM src.sales_order o WHERE {{where}}""",
    mode="updated",
    source="sales_order",
    key="order_id",
    deletion_log=True,
    changed=ts("o.updated_at"),
    mark="updated_at",
    pushdown=(("sales_order", since()),),
    reads=(
        "sales_order: id, reference, customer_id, owner_id, team_id, status, currency, net, "
        "tax, total, expected_delivery, created_at, confirmed_at, shipped_at, delivered_at, "
        "cancelled_at, updated_at",
        "analytics_deletedrow: id, table_name, row_id (the orders deleted)",
    ),
)

FACT_ORDER_LINE = Table(
    name="fact_order_line",
    columns="""line_id BIGINT PRIMARY KEY, order_id BIGINT, customer_id BIGINT,
        product_id BIGINT, sku VARCHAR, quantity DECIMAL(18,3), unit_price DECIMAL(18,2),
        net DECIMAL(18,2), tax DECIMAL(18,2), total DECIMAL(18,2), order_date DATE,
        order_updated_at TIMESTAMP""",
    select=f"""
        SELECT l.id, l.order_id, o.customer_id, l.product_id, l.sku,
               CAST(l.quantity AS DECIMAL(18,3)), {money("l.unit_price")}, {money("l.net")},
               {money("l.tax")}, {money("l.total")}, CAST({ts("o.created_at")} AS DATE),
               {ts("o.updated_at")}
        FROM src.sales_orderline l JOIN src.sales_order o ON o.id = l.order_id
        WHERE {{where}}""",
    mode="children",
    source="sales_orderline",
    key="line_id",
    deletion_log=True,
    deleted_with=(("sales_order", "order_id"),),
    changed=ts("o.updated_at"),
    mark="order_updated_at",
    pushdown=(
        ("sales_orderline", f"order_id IN (SELECT id FROM sales_order WHERE {since()})"),
        ("sales_order", since()),
    ),
    reads=(
        "sales_orderline: id, order_id, product_id, sku, quantity, unit_price, net, tax, "
        "total (never the free-text name or options)",
        "sales_order: customer_id, created_at, updated_at",
        "analytics_deletedrow: id, table_name, row_id (the order lines deleted; an order "
        "deleted takes its lines)",
    ),
)

FACT_QUOTE = Table(
    name="fact_quote",
    columns="""quote_id BIGINT PRIMARY KEY, reference VARCHAR, customer_id BIGINT,
        opportunity_id BIGINT, owner_id BIGINT, team_id BIGINT, status VARCHAR,
        currency VARCHAR, net DECIMAL(18,2), total DECIMAL(18,2),
        discount_total DECIMAL(18,2), valid_until DATE, created_at TIMESTAMP,
        sent_at TIMESTAMP, accepted_at TIMESTAMP, updated_at TIMESTAMP""",
    select=f"""
        SELECT q.id, q.reference, q.customer_id, q.opportunity_id, q.owner_id, q.team_id,
               q.status, q.currency, {money("q.net")}, {money("q.total")},
               {money("q.discount_total")}, CAST(q.valid_until AS DATE), {ts("q.created_at")},
               {ts("q.sent_at")}, {ts("q.accepted_at")}, {ts("q.updated_at")}
        FROM src.sales_quote q WHERE {{where}}""",
    mode="updated",
    source="sales_quote",
    key="quote_id",
    deletion_log=True,
    changed=ts("q.updated_at"),
    mark="updated_at",
    pushdown=(("sales_quote", since()),),
    reads=(
        "sales_quote: id, reference, customer_id, opportunity_id, owner_id, team_id, status, "
        "currency, net, total, discount_total, valid_until, created_at, sent_at, "
        "accepted_at, updated_at",
        "analytics_deletedrow: id, table_name, row_id (the quotes deleted)",
    ),
)

FACT_OPPORTUNITY = Table(
    name="fact_opportunity",
    columns="""opportunity_id BIGINT PRIMARY KEY, customer_id BIGINT, pipeline_id BIGINT,
        pipeline VARCHAR, stage_id BIGINT, stage VARCHAR, stage_position INTEGER,
        status VARCHAR, amount DECIMAL(18,2), currency VARCHAR, amount_base DECIMAL(18,2),
        probability INTEGER, weighted_base DECIMAL(18,2), expected_close DATE,
        owner_id BIGINT, team_id BIGINT, lost_reason_id BIGINT, created_at TIMESTAMP,
        stage_entered_at TIMESTAMP, closed_at TIMESTAMP, updated_at TIMESTAMP""",
    select=f"""
        SELECT op.id, op.customer_id, op.pipeline_id, pl.name, op.stage_id, st.name,
               CAST(st.position AS INTEGER), op.status, {money("op.amount")}, op.currency,
               {money("op.amount_base")}, CAST(op.probability AS INTEGER),
               {money("op.amount_base * op.probability / 100.0")},
               CAST(op.expected_close AS DATE), op.owner_id, op.team_id, op.lost_reason_id,
               {ts("op.created_at")}, {ts("op.stage_entered_at")}, {ts("op.closed_at")},
               {ts("op.updated_at")}
        FROM src.sales_opportunity op
        JOIN src.sales_stage st ON st.id = op.stage_id
        JOIN src.sales_pipeline pl ON pl.id = op.pipeline_id
        WHERE {{where}}""",
    mode="updated",
    source="sales_opportunity",
    key="opportunity_id",
    deletion_log=True,
    changed=ts("op.updated_at"),
    mark="updated_at",
    pushdown=(("sales_opportunity", since()),),
    reads=(
        "sales_opportunity: id, customer_id, pipeline_id, stage_id, status, amount, currency, "
        "amount_base, probability, expected_close, owner_id, team_id, lost_reason_id, "
        "created_at, stage_entered_at, closed_at, updated_at (never name, notes, next step)",
        "sales_stage: id, name, position",
        "sales_pipeline: id, name",
        "analytics_deletedrow: id, table_name, row_id (the opportunities deleted)",
    ),
)

FACT_STAGE_CHANGE = Table(
    name="fact_stage_change",
    columns="""stage_change_id BIGINT PRIMARY KEY, opportunity_id BIGINT, customer_id BIGINT,
        from_stage_id BIGINT, to_stage_id BIGINT, to_stage VARCHAR, by_id BIGINT,
        moved_at TIMESTAMP, date_key DATE, seconds_in_previous BIGINT""",
    select=f"""
        SELECT sc.id, sc.opportunity_id, op.customer_id, sc.from_stage_id, sc.to_stage_id,
               st.name, sc.by_id, {ts("sc.at")}, CAST({ts("sc.at")} AS DATE),
               sc.seconds_in_previous
        FROM src.sales_stagechange sc
        JOIN src.sales_opportunity op ON op.id = sc.opportunity_id
        JOIN src.sales_stage st ON st.id = sc.to_stage_id
        WHERE {{where}}""",
    mode="append",
    source="sales_stagechange",
    key="stage_change_id",
    deletion_log=True,
    changed="sc.id",
    mark="stage_change_id",
    pushdown=(
        ("sales_stagechange", NEWER),
        (
            "sales_opportunity",
            f"id IN (SELECT opportunity_id FROM sales_stagechange WHERE {NEWER})",
        ),
    ),
    reads=(
        "sales_stagechange: id, opportunity_id, from_stage_id, to_stage_id, by_id, at, "
        "seconds_in_previous",
        "sales_opportunity: customer_id",
        "sales_stage: name",
        "analytics_deletedrow: id, table_name, row_id (the stage changes deleted)",
    ),
)

# A case changes when it is edited or when its satisfaction answer arrives.
CASE_CHANGED = (
    f"GREATEST({ts('k.updated_at')}, COALESCE({ts('s.answered_at')}, {ts('k.updated_at')}))"
)

FACT_CASE = Table(
    name="fact_case",
    columns="""case_id BIGINT PRIMARY KEY, reference VARCHAR, customer_id BIGINT,
        type VARCHAR, priority VARCHAR, channel VARCHAR, product_id BIGINT, queue_id BIGINT,
        owner_id BIGINT, status VARCHAR, created_at TIMESTAMP, date_key DATE,
        first_response_at TIMESTAMP, first_response_due TIMESTAMP, resolution_due TIMESTAMP,
        resolved_at TIMESTAMP, closed_at TIMESTAMP, response_breached BOOLEAN,
        resolution_breached BOOLEAN, resolution_hours DOUBLE, is_open BOOLEAN,
        csat_score INTEGER, updated_at TIMESTAMP, changed_at TIMESTAMP""",
    select=f"""
        SELECT k.id, k.reference, k.customer_id, k.type, k.priority, k.channel, k.product_id,
               k.queue_id, k.owner_id, k.status, {ts("k.created_at")},
               CAST({ts("k.created_at")} AS DATE), {ts("k.first_response_at")},
               {ts("k.first_response_due")}, {ts("k.resolution_due")}, {ts("k.resolved_at")},
               {ts("k.closed_at")},
               COALESCE({ts("k.first_response_at")}, current_timestamp::TIMESTAMP)
                   > {ts("k.first_response_due")},
               COALESCE({ts("k.resolved_at")}, current_timestamp::TIMESTAMP)
                   > {ts("k.resolution_due")},
               CASE WHEN k.resolved_at IS NULL THEN NULL
                    ELSE date_diff('second', {ts("k.created_at")}, {ts("k.resolved_at")})
                         / 3600.0 END,
               k.status IN ('new', 'open', 'waiting', 'reopened'),
               CAST(s.score AS INTEGER), {ts("k.updated_at")}, {CASE_CHANGED}
        FROM src.service_case k LEFT JOIN src.service_casesurvey s ON s.case_id = k.id
        WHERE {{where}}""",
    mode="updated",
    source="service_case",
    key="case_id",
    deletion_log=True,
    changed=CASE_CHANGED,
    mark="changed_at",
    pushdown=(
        (
            "service_case",
            f"{since()} OR id IN "
            f"(SELECT case_id FROM service_casesurvey WHERE {since('answered_at')})",
        ),
        (
            "service_casesurvey",
            f"{since('answered_at')} OR case_id IN (SELECT id FROM service_case WHERE {since()})",
        ),
    ),
    reads=(
        "service_case: id, reference, customer_id, type, priority, channel, product_id, "
        "queue_id, owner_id, status, created_at, first_response_at, first_response_due, "
        "resolution_due, resolved_at, closed_at, updated_at (never subject or description)",
        "service_casesurvey: case_id, score, answered_at (never the comment)",
        "analytics_deletedrow: id, table_name, row_id (the cases deleted)",
    ),
)

FACT_HOLDING = Table(
    name="fact_holding",
    columns="""holding_id BIGINT PRIMARY KEY, customer_id BIGINT, product_code VARCHAR,
        product_name VARCHAR, category VARCHAR, status VARCHAR, start_date DATE,
        end_date DATE, price DECIMAL(18,2), currency VARCHAR, updated_at TIMESTAMP""",
    select=f"""
        SELECT h.id, h.customer_id, h.product_code, h.product_name, h.category, h.status,
               CAST(h.start_date AS DATE), CAST(h.end_date AS DATE), {money("h.price")},
               h.currency, {ts("h.updated_at")}
        FROM src.customers_holding h WHERE {{where}}""",
    mode="updated",
    source="customers_holding",
    key="holding_id",
    changed=ts("h.updated_at"),
    mark="updated_at",
    pushdown=(("customers_holding", since()),),
    deletion_log=True,
    reads=(
        "customers_holding: id, customer_id, product_code, product_name, category, status, "
        "start_date, end_date, price, currency, updated_at (never the conditions)",
        "analytics_deletedrow: id, table_name, row_id (the holdings deleted)",
    ),
)

FACT_BILLING_INCIDENT = Table(
    name="fact_billing_incident",
    columns="""incident_id BIGINT PRIMARY KEY, customer_id BIGINT, holding_id BIGINT,
        kind VARCHAR, amount DECIMAL(18,2), currency VARCHAR, due_date DATE, status VARCHAR,
        resolved_at TIMESTAMP""",
    select=f"""
        SELECT b.id, b.customer_id, b.holding_id, b.kind, {money("b.amount")}, b.currency,
               CAST(b.due_date AS DATE), b.status, {ts("b.resolved_at")}
        FROM src.customers_billingincident b WHERE {{where}}""",
    mode="replace",
    reads=(
        "customers_billingincident: id, customer_id, holding_id, kind, amount, currency, "
        "due_date, status, resolved_at (never the reference or notes)",
    ),
)

DIMENSIONS = (
    DIM_CUSTOMER,
    DIM_PRODUCT,
    DIM_STAFF,
    BRIDGE_STAFF_TEAM,
    DIM_CHANNEL,
    DIM_DATE,
    DIM_CAMPAIGN,
    DIM_SEGMENT,
)
FACTS = (
    FACT_INTERACTION,
    FACT_ORDER,
    FACT_ORDER_LINE,
    FACT_PURCHASE,
    FACT_PURCHASE_LINE,
    FACT_QUOTE,
    FACT_OPPORTUNITY,
    FACT_STAGE_CHANGE,
    FACT_CASE,
    FACT_HOLDING,
    FACT_BILLING_INCIDENT,
    FACT_CAMPAIGN_RESPONSE,
    FACT_WEB_EVENT,
    FACT_JOURNEY_ENROLMENT,
    FACT_LOYALTY_MOVEMENT,
    FACT_SEGMENT_MEMBERSHIP,
)
TABLES = DIMENSIONS + FACTS
CHANNELS = ("web", "email", "phone", "sms", "chat", "fax", "in_person", "portal", "api", "note")
DIGITAL_CHANNELS = {"web", "email", "sms", "chat", "portal"}
