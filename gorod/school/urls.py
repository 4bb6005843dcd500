"""The school diary's pages: the family's diary (views/diary.py) and the teacher's journal
(views/journal.py)."""

from gorod.school.views import diary, journal

app_name = "school"

urlpatterns = [*diary.urlpatterns, *journal.urlpatterns]
