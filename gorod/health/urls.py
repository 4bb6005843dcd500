from django.urls import path  # noqa: F401  (the citizen pages are added here)

app_name = "health"
urlpatterns: list = []
