"""The teacher's journal pages."""

urlpatterns = []
