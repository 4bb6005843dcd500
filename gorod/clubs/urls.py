"""The clubs' pages: finding a group and applying (views/finding.py), the family's
applications (views/family.py) and the organisation's back office (views/desk.py)."""

from gorod.clubs.views import desk, family, finding

app_name = "clubs"

urlpatterns = [*finding.urlpatterns, *family.urlpatterns, *desk.urlpatterns]
