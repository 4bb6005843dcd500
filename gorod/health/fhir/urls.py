from django.urls import path  # noqa: F401  (the FHIR R4 endpoints)

app_name = "fhir"
urlpatterns: list = []
