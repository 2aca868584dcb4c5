"""The service API: one router per sub-domain, mounted by ``config/api.py`` through
``router``. A new sub-domain adds its module here."""

from ninja import Router

from . import calls, cases, field, knowledge, quality, queues, sla

router = Router()
router.add_router("", cases.router)
router.add_router("", sla.router)
router.add_router("", queues.router)
router.add_router("", knowledge.router)
router.add_router("", calls.router)
router.add_router("", field.router)
router.add_router("", quality.router)
router.add_router("", quality.reports)
