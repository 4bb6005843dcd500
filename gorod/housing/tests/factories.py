from datetime import date
from decimal import Decimal

import factory

from gorod.accounts.tests.factories import PersonFactory
from gorod.housing.models import Meter, Premises, PremisesLink


class PremisesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premises

    payer_code = factory.Sequence(lambda n: f"{7700000000 + n:010d}")
    apartment = factory.Sequence(lambda n: str(n % 300 + 1))
    address = "Москва, ул. Тестовая, д. 1"
    residents = 2


class PremisesLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PremisesLink

    person = factory.SubFactory(PersonFactory)
    premises = factory.SubFactory(PremisesFactory)
    role = PremisesLink.Role.OWNER
    verified_by = PremisesLink.Verification.PAYMENT_DOCUMENT


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    premises = factory.SubFactory(PremisesFactory)
    kind = Meter.Kind.COLD_WATER
    unit = factory.LazyAttribute(lambda meter: Meter.UNIT_OF_KIND[meter.kind])
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    installed_on = date(2024, 1, 10)
    commissioned_on = date(2024, 1, 15)
    initial_value = Decimal("10.000")
    next_verification_on = date(2030, 1, 10)
