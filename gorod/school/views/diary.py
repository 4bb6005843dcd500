"""The parent's and the student's diary pages."""

urlpatterns = []
