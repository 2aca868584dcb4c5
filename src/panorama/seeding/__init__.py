"""Synthetic data for the demo, the bench and load tests (``panorama seed`` / ``demo``).

A development tool, not an app: it writes across ``accounts``, ``customers`` and
``channels`` directly (bulk inserts, no per-row services) and nothing imports it
except the management commands.
"""

from .run import SeedResult, seed_customers
from .showcase import showcase_customer_id, showcase_ensure
from .staff import Staff, staff_ensure

__all__ = [
    "SeedResult",
    "Staff",
    "seed_customers",
    "showcase_customer_id",
    "showcase_ensure",
    "staff_ensure",
]
