from django.urls import path  # noqa: F401  (the registry's and the doctor's pages)

app_name = "health_staff"
urlpatterns: list = []
