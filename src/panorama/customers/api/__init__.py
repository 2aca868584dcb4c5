from ninja import Router

from .customers import router as customers_router
from .duplicates import router as duplicates_router
from .imports import router as imports_router

router = Router(tags=["customers"])
router.add_router("", customers_router)
router.add_router("", duplicates_router)
router.add_router("", imports_router)
