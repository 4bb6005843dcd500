"""/api/v1/school: the family's diary (api/diary.py) and the teacher's journal
(api/journal.py)."""

from ninja import Router

from gorod.school.api.diary import router as diary_router
from gorod.school.api.journal import router as journal_router

router = Router(tags=["school"])
router.add_router("/", diary_router)
router.add_router("/journal", journal_router)
