from django.apps import AppConfig


class FhirConfig(AppConfig):
    """The HL7 FHIR R4 door over clinics, appointments and the medical record."""

    name = "gorod.fhir"
    verbose_name = "HL7 FHIR R4"
