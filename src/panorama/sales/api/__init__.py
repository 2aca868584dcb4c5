"""The sales API: one router per sub-domain, mounted by ``config/api.py`` through
``router``. A new sub-domain adds its module here."""

from ninja import Router

from . import (
    agenda,
    forecast,
    lead_config,
    lead_imports,
    leads,
    opportunities,
    orders,
    pipelines,
    quotes,
    scripts,
    settings,
)

router = Router()
router.add_router("", opportunities.router)
router.add_router("", leads.router)
router.add_router("", lead_imports.router)
router.add_router("", pipelines.router)
router.add_router("", agenda.router)
router.add_router("", scripts.router)
router.add_router("", forecast.router)
router.add_router("", quotes.router)
router.add_router("", orders.router)
router.add_router("", settings.router)
router.add_router("", lead_config.router)
