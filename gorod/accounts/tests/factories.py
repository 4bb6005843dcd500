from datetime import date

import factory

from gorod.accounts.models import Person, User

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"citizen{n}@example.ru")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    last_name = "Иванова"
    first_name = factory.Sequence(lambda n: f"Мария{n}")
    middle_name = "Петровна"
    birth_date = date(1985, 5, 17)


class ChildFactory(PersonFactory):
    user = None
    first_name = factory.Sequence(lambda n: f"Петя{n}")
    birth_date = date(2016, 3, 1)
