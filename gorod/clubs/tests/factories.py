"""Factories for clubs and sports sections.

Defaults make one coherent world: a free programme for ages 6–12 starting on 1 September
2026, its group of 20 places at a venue of the same organisation in Хамовники (which the
programme then lists among its venues), meeting on Mondays 16:00–17:00. A programme's
search words are its title, activity and description as the portal's services write them
(`lemmas_of`), unless a test gives them.
"""

from datetime import date, time
from decimal import Decimal

import factory

from gorod.clubs.models import Direction, Group, GroupSession, Organisation, Programme, Venue
from gorod.clubs.search import lemmas_of

PROGRAMME_STARTS = date(2026, 9, 1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"ГБУДО города Москвы «Дом творчества № {n + 1}»")
    short_name = factory.Sequence(lambda n: f"Дом творчества № {n + 1}")
    kind = "Дом детского творчества"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Корпус {n + 1}")
    address = factory.Sequence(lambda n: f"улица Льва Толстого, дом {n + 1}")
    district = "Хамовники"
    okrug = "ЦАО"
    lat = Decimal("55.733800")
    lon = Decimal("37.587400")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Программа {n + 1}")
    direction = Direction.ARTS
    activity = ""
    description = ""
    age_min = 6
    age_max = 12
    is_free = True
    price_month = None
    starts_on = PROGRAMME_STARTS
    search_lemmas = factory.LazyAttribute(
        lambda programme: lemmas_of(programme.title, programme.activity, programme.description)
    )


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    venue = factory.SubFactory(
        VenueFactory, organisation=factory.SelfAttribute("..programme.organisation")
    )
    name = factory.Sequence(lambda n: f"Группа {n + 1}")
    teacher_name = "Смирнова Анна Петровна"
    capacity = 20

    @factory.post_generation
    def _venue_listed(group, create, extracted, **kwargs):
        # A group meets at one of its programme's venues.
        if create:
            group.programme.venues.add(group.venue)


class GroupSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupSession

    group = factory.SubFactory(GroupFactory)
    weekday = GroupSession.Weekday.MONDAY
    starts_at = time(16, 0)
    ends_at = time(17, 0)
