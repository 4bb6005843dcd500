"""Races run for real: threads with their own database connections."""

import threading
from datetime import date

import pytest

from gorod.accounts import services
from gorod.accounts.models import Person, User
from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.core.errors import DomainError

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_for_one_login_create_one_account():
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def sign_up(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.user_register(
                # One number, typed a different way by each racer.
                login=["+79161112233", "8 916 111-22-33", "89161112233"][index % 3],
                password=TEST_PASSWORD,
                last_name="Гонка",
                first_name=f"Участник{index}",
                birth_date=date(1990, 1, 1),
            )
            outcomes.append("created")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["login_taken"] * (THREADS - 1)
    assert User.objects.filter(phone="+79161112233").count() == 1
    assert Person.objects.filter(last_name="Гонка").count() == 1
