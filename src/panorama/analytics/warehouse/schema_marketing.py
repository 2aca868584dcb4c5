"""The marketing and loyalty tables of the star schema: campaigns and their ledger, web
events, journey enrolments and the loyalty points ledger (docs/analytics.md). The
refresh modes are described in ``schema.py``."""

from .tables import NEWER, Table, money, ts

DIM_CAMPAIGN = Table(
    name="dim_campaign",
    columns="""campaign_id BIGINT PRIMARY KEY, name VARCHAR, channel VARCHAR, status VARCHAR,
        owner_id BIGINT, budget DECIMAL(18,2), cost DECIMAL(18,2), created_at TIMESTAMP,
        launched_at TIMESTAMP, finished_at TIMESTAMP""",
    select=f"""
        SELECT k.id, k.name, k.channel, k.status, k.owner_id, {money("k.budget")},
               {money("k.cost")}, {ts("k.created_at")}, {ts("k.launched_at")},
               {ts("k.finished_at")}
        FROM src.marketing_campaign k WHERE {{where}}""",
    mode="replace",
    reads=(
        "marketing_campaign: id, name, channel, status, owner_id, budget, cost, created_at, "
        "launched_at, finished_at (never the objective or the message)",
    ),
)

# The campaign ledger has no change column and its counters (opens, clicks) move without
# a timestamp: it is read whole again on every refresh, in one scan.
FACT_CAMPAIGN_RESPONSE = Table(
    name="fact_campaign_response",
    columns="""recipient_id BIGINT PRIMARY KEY, campaign_id BIGINT, customer_id BIGINT,
        target_group VARCHAR, status VARCHAR, variant_id BIGINT, sent_at TIMESTAMP,
        date_key DATE, delivered BOOLEAN, bounced BOOLEAN, opened_at TIMESTAMP,
        opens INTEGER, clicked_at TIMESTAMP, clicks INTEGER, unsubscribed_at TIMESTAMP,
        responded_at TIMESTAMP, converted_at TIMESTAMP, revenue DECIMAL(18,2)""",
    select=f"""
        SELECT r.id, r.campaign_id, r.customer_id, r."group", r.status, r.variant_id,
               {ts("r.sent_at")},
               CAST(COALESCE({ts("r.sent_at")}, {ts("k.launched_at")}, {ts("k.created_at")})
                    AS DATE),
               r.status = 'sent' AND r.bounced_at IS NULL,
               r.status = 'bounced' OR r.bounced_at IS NOT NULL,
               {ts("r.opened_at")}, CAST(r.opens AS INTEGER), {ts("r.clicked_at")},
               CAST(r.clicks AS INTEGER), {ts("r.unsubscribed_at")}, {ts("r.responded_at")},
               {ts("r.converted_at")}, {money("r.revenue")}
        FROM src.marketing_recipient r JOIN src.marketing_campaign k ON k.id = r.campaign_id
        WHERE {{where}}""",
    mode="replace",
    reads=(
        "marketing_recipient: id, campaign_id, customer_id, group, status, variant_id, "
        "sent_at, bounced_at, opened_at, opens, clicked_at, clicks, unsubscribed_at, "
        "responded_at, converted_at, revenue (never the e-mail address or the error)",
        "marketing_campaign: launched_at, created_at (the day of a message never sent)",
    ),
)

# The page of a web event: its URL without scheme, host, query or fragment (a query
# string may carry personal data); the visitor: a hash of the site's cookie id, enough to
# count distinct visitors and nothing to find the cookie with.
WEB_PAGE = (
    "COALESCE(NULLIF(regexp_replace(regexp_replace(e.url, '^[A-Za-z]+://[^/]*', ''), "
    "'[?#].*$', ''), ''), '/')"
)

FACT_WEB_EVENT = Table(
    name="fact_web_event",
    columns="""web_event_id BIGINT PRIMARY KEY, site_id BIGINT, customer_id BIGINT,
        visitor_key BIGINT, name VARCHAR, page VARCHAR, occurred_at TIMESTAMP,
        date_key DATE""",
    select=f"""
        SELECT e.id, e.site_id, e.customer_id,
               CAST(hash(CAST(e.site_id AS VARCHAR) || ':' || e.cookie_id) >> 1 AS BIGINT),
               e.name, {WEB_PAGE}, {ts("e.at")}, CAST({ts("e.at")} AS DATE)
        FROM src.automation_webevent e WHERE {{where}}""",
    mode="append",
    source="automation_webevent",
    key="web_event_id",
    deletion_log=True,
    changed="e.id",
    mark="web_event_id",
    pushdown=(("automation_webevent", NEWER),),
    relink="""
        UPDATE fact_web_event f SET customer_id = e.customer_id
        FROM src.automation_webevent e
        WHERE f.customer_id IS NULL AND e.id = f.web_event_id AND e.customer_id IS NOT NULL""",
    reads=(
        "automation_webevent: id, site_id, customer_id, cookie_id (hashed), name, url "
        "(path only), at (never the event's data); an event that was anonymous gets its "
        "customer on the refresh after the visitor is identified",
        "analytics_deletedrow: id, table_name, row_id (the web events deleted)",
    ),
)

FACT_JOURNEY_ENROLMENT = Table(
    name="fact_journey_enrolment",
    columns="""enrolment_id BIGINT PRIMARY KEY, journey_id BIGINT, journey VARCHAR,
        customer_id BIGINT, status VARCHAR, step_position INTEGER, entered_at TIMESTAMP,
        date_key DATE, finished_at TIMESTAMP""",
    select=f"""
        SELECT n.id, n.journey_id, j.name, n.customer_id, n.status,
               CAST(s.position AS INTEGER), {ts("n.entered_at")},
               CAST({ts("n.entered_at")} AS DATE), {ts("n.finished_at")}
        FROM src.marketing_enrolment n JOIN src.marketing_journey j ON j.id = n.journey_id
        LEFT JOIN src.marketing_journeystep s ON s.id = n.step_id
        WHERE {{where}}""",
    mode="replace",
    reads=(
        "marketing_enrolment: id, journey_id, customer_id, status, step_id, entered_at, "
        "finished_at (never the log or the exit reason)",
        "marketing_journey: id, name",
        "marketing_journeystep: id, position",
    ),
)

# The points ledger is append-only; a merge moves a membership (and so its movements) to
# the surviving customer, which ``relink`` carries over on the next refresh.
FACT_LOYALTY_MOVEMENT = Table(
    name="fact_loyalty_movement",
    columns="""movement_id BIGINT PRIMARY KEY, membership_id BIGINT, programme_id BIGINT,
        programme VARCHAR, customer_id BIGINT, kind VARCHAR, points BIGINT,
        balance_after BIGINT, order_id BIGINT, reward_id BIGINT, occurred_at TIMESTAMP,
        date_key DATE""",
    select=f"""
        SELECT v.id, v.membership_id, m.programme_id, p.name, m.customer_id, v.kind,
               CAST(v.points AS BIGINT), CAST(v.balance_after AS BIGINT), v.order_id,
               v.reward_id, {ts("v.occurred_at")}, CAST({ts("v.occurred_at")} AS DATE)
        FROM src.loyalty_movement v JOIN src.loyalty_membership m ON m.id = v.membership_id
        JOIN src.loyalty_programme p ON p.id = m.programme_id
        WHERE {{where}}""",
    mode="append",
    source="loyalty_movement",
    key="movement_id",
    deletion_log=True,
    changed="v.id",
    mark="movement_id",
    pushdown=(("loyalty_movement", NEWER),),
    relink="""
        UPDATE fact_loyalty_movement f SET customer_id = m.customer_id
        FROM src.loyalty_membership m
        WHERE m.id = f.membership_id AND f.customer_id IS DISTINCT FROM m.customer_id""",
    reads=(
        "loyalty_movement: id, membership_id, kind, points, balance_after, order_id, "
        "reward_id, occurred_at (never the reason or who made an adjustment)",
        "loyalty_membership: id, programme_id, customer_id (never the card number)",
        "loyalty_programme: id, name",
        "analytics_deletedrow: id, table_name, row_id (the movements deleted)",
    ),
)

# Segments: every dynamic segment (rules) and every static list, one key space
# ("dynamic:<id>", "static:<id>") so the bridge and the marts slice by either.
DIM_SEGMENT = Table(
    name="dim_segment",
    columns="""segment_key VARCHAR PRIMARY KEY, segment_id BIGINT, kind VARCHAR, name VARCHAR,
        created_at TIMESTAMP""",
    select=f"""
        SELECT 'dynamic:' || CAST(s.id AS VARCHAR), s.id, 'dynamic', s.name,
               {ts("s.created_at")}
        FROM src.marketing_segment s WHERE {{where}}
        UNION ALL
        SELECT 'static:' || CAST(l.id AS VARCHAR), l.id, 'static', l.name,
               {ts("l.created_at")}
        FROM src.marketing_staticlist l WHERE {{where}}""",
    mode="replace",
    reads=(
        "marketing_segment: id, name, created_at (never the description; the rules are "
        "evaluated, see fact_segment_membership)",
        "marketing_staticlist: id, name, created_at",
    ),
)

# Who is in each segment as of the load: a static list's current members are read by the
# scanner (this select); a dynamic segment's are computed by the marketing segment
# compiler, one query per segment (``segments.memberships_load``). Read whole on every
# load: a dynamic segment's members change without any row changing in a segment table.
FACT_SEGMENT_MEMBERSHIP = Table(
    name="fact_segment_membership",
    columns="""customer_key BIGINT, customer_id BIGINT, segment_key VARCHAR, as_of DATE""",
    select="""
        SELECT d.customer_key, m.customer_id, 'static:' || CAST(m.static_list_id AS VARCHAR),
               CAST(? AS DATE)
        FROM src.marketing_listmembership m
        JOIN dim_customer d ON d.customer_id = m.customer_id AND d.is_current
        WHERE m.left_at IS NULL AND {where}""",
    mode="segments",
    reads=(
        "marketing_listmembership: static_list_id, customer_id, left_at (the members "
        "still in the list)",
        "marketing_segment: rules, compiled to one query over customers_customer per "
        "segment (the customers who match now, merged-away ones left out)",
    ),
)
