"""The sales API: one router per sub-domain, mounted by ``config/api.py`` through
``router``. A new sub-domain adds its module here."""

from ninja import Router

from . import lead_imports, leads, opportunities, orders, pipelines, quotes

router = Router()
router.add_router("", opportunities.router)
router.add_router("", leads.router)
router.add_router("", lead_imports.router)
router.add_router("", pipelines.router)
router.add_router("", quotes.router)
router.add_router("", orders.router)
