"""Factories of medical organisations, buildings, doctors and attachments."""

from datetime import date

import factory

from gorod.accounts.tests.factories import PersonFactory
from gorod.clinics.models import (
    Attachment,
    Location,
    Organisation,
    Practitioner,
    PractitionerRole,
    Specialty,
)


def specialty(code: str) -> Specialty:
    """A specialty the data migration created (therapist, pediatrician, cardiologist, …)."""
    return Specialty.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    registry_code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Городская поликлиника № {n + 1}")
    kind = Organisation.Kind.ADULT_POLYCLINIC
    district = "ЦАО"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    registry_code = factory.Sequence(lambda n: f"L{n:05d}")
    name = factory.LazyAttribute(lambda location: location.organisation.name)
    address = "Москва, Даев переулок, дом 3"


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    last_name = "Смирнова"
    first_name = factory.Sequence(lambda n: f"Анна{n}")
    middle_name = "Петровна"


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PractitionerRole

    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    organisation = factory.LazyAttribute(lambda role: role.location.organisation)
    specialty = factory.LazyFunction(lambda: specialty("therapist"))
    room = "101"


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    since = date(2020, 1, 1)
