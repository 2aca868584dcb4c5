"""The service API: one router per sub-domain, mounted by ``config/api.py`` through
``router``. A new sub-domain adds its module here."""

from ninja import Router

from . import cases

router = Router()
router.add_router("", cases.router)
