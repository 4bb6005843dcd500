"""/api/v1/clubs: finding a group (api/search.py, public), the family's applications
(api/families.py) and the organisation's desk (api/staff.py, at /desk)."""

from ninja import Router

from gorod.clubs.api.families import router as families_router
from gorod.clubs.api.search import router as search_router
from gorod.clubs.api.staff import router as staff_router

router = Router(tags=["clubs"])
router.add_router("/", search_router)
router.add_router("/", families_router)
router.add_router("/desk", staff_router)
