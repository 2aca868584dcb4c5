"""The catalogue's API: one router per sub-domain, mounted by ``config/api.py`` through
``router``. A new sub-domain adds its module here."""

from ninja import Router

from . import options, products, reference

router = Router()
router.add_router("", products.router)
router.add_router("", options.router)
router.add_router("", reference.router)
