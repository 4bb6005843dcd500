import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.analytics import services
from gorod.analytics.models import RollupPending, UsageDaily, UsageDay, UsageEvent
from gorod.analytics.recorder import recorder
from gorod.analytics.tasks import rollup_recent_days
from gorod.catalog.models import Service

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
DAY1 = date(2025, 3, 3)
DAY2 = date(2025, 3, 4)


def at(day: date, hour: int) -> datetime:
    """An instant at `hour` o'clock of a Moscow day."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=MOSCOW)


def record(service: str, actor, channel: str = "web", when: datetime | None = None):
    return services.usage_record(
        service=service, actor=actor, action="open", channel=channel, occurred_at=when
    )


def test_a_use_is_written_with_a_pseudonym_and_nothing_personal(catalog):
    # An id long enough that finding its digits inside 16 random bytes would not be luck.
    person = PersonFactory(last_name="Уникальнова", user__id=918273645)
    use_id = record("emr", person.user)
    event = UsageEvent.objects.get(pk=use_id)
    assert bytes(event.person) == services.person_key_of(person.user)
    row = {field.attname: getattr(event, field.attname) for field in UsageEvent._meta.fields}
    text = repr(row)
    for personal in (person.user.email, person.last_name, person.first_name):
        assert personal not in text
    assert str(person.user.pk).encode() not in bytes(event.person)
    assert set(row) == {
        "id", "occurred_at", "service_id", "channel", "action", "person", "batch_id"
    }  # fmt: skip


def test_an_anonymous_use_has_no_pseudonym(catalog):
    event = UsageEvent.objects.get(pk=record("emr", None))
    assert event.person is None


def test_reading_an_information_services_page_is_a_use_of_a_signed_in_reader(catalog):
    info = Service.objects.filter(kind=Service.Kind.INFO).first()
    flagship = Service.objects.get(slug="emr")
    reader = PersonFactory().user
    use_id = services.service_page_read(service=info, actor=reader, channel="web")
    assert UsageEvent.objects.get(pk=use_id).service_id == info.pk
    assert services.service_page_read(service=flagship, actor=reader, channel="web") is None
    assert services.service_page_read(service=info, actor=AnonymousUser(), channel="web") is None
    assert UsageEvent.objects.count() == 1


def test_leaving_for_a_partners_site_is_a_use_when_signed_in(catalog):
    external = Service.objects.filter(kind=Service.Kind.EXTERNAL).first()
    services.service_exit_record(service=external, actor=AnonymousUser(), channel="web")
    assert not UsageEvent.objects.exists()
    services.service_exit_record(service=external, actor=PersonFactory().user, channel="web")
    assert UsageEvent.objects.get().service_id == external.pk


def test_unknown_service_action_or_channel_are_programming_errors(catalog):
    with pytest.raises(Exception, match="no-such"):
        record("no-such", None)
    with pytest.raises(ValueError, match="action"):
        services.usage_record(service="emr", actor=None, action="look", channel="web")
    with pytest.raises(ValueError, match="channel"):
        services.usage_record(service="emr", actor=None, action="open", channel="fax")


def test_rollup_counts_uses_and_unique_users_exactly(catalog):
    ann, bob, cat = UserFactory(), UserFactory(), UserFactory()
    for actor, service, channel, when in [
        (ann, "emr", "web", at(DAY1, 9)),
        (ann, "emr", "web", at(DAY1, 10)),
        (bob, "emr", "web", at(DAY1, 11)),
        (bob, "emr", "mobile", at(DAY1, 12)),
        (None, "emr", "kiosk", at(DAY1, 13)),
        (cat, "school-diary", "web", at(DAY1, 23)),
        (ann, "school-diary", "web", at(DAY2, 0)),  # midnight in Moscow: the next day
    ]:
        record(service, actor, channel, when)
    report = services.usage_rollup(days=[DAY1, DAY2])
    assert report.events == 7
    rows = {
        (row.day, row.service.slug, row.channel): (row.uses, row.users)
        for row in UsageDaily.objects.select_related("service")
    }
    assert rows == {
        (DAY1, "emr", "web"): (3, 2),
        (DAY1, "emr", "mobile"): (1, 1),
        (DAY1, "emr", "kiosk"): (1, 0),
        (DAY1, "school-diary", "web"): (1, 1),
        (DAY2, "school-diary", "web"): (1, 1),
    }
    day1 = UsageDay.objects.get(day=DAY1)
    assert (day1.uses, day1.users) == (6, 3)
    both_days = UsageDay.objects.filter(day__in=[DAY1, DAY2])
    # ann used the portal on both days: three people, not four.
    assert services.sketch_union_estimate(both_days.values_list("users_sketch", flat=True)) == 3


def test_rolling_a_day_up_again_gives_the_same_rows(catalog):
    user = UserFactory()
    for hour in range(5):
        record("emr", user, when=at(DAY1, hour))

    def snapshot():
        return (
            sorted(UsageDaily.objects.values_list("day", "service_id", "channel", "uses", "users")),
            list(UsageDay.objects.values_list("day", "uses", "users")),
        )

    services.usage_rollup(days=[DAY1])
    first = snapshot()
    services.usage_rollup(days=[DAY1])
    assert snapshot() == first
    # A late event for that day changes the figures on the next run, not before.
    record("emr", user, when=at(DAY1, 20))
    services.rollup_mark_pending([DAY1])
    services.usage_rollup(days=[DAY1])
    assert UsageDay.objects.get(day=DAY1).uses == 6
    assert not RollupPending.objects.exists()


def test_a_day_whose_events_are_gone_loses_its_rollup(catalog):
    record("emr", None, when=at(DAY1, 9))
    services.usage_rollup(days=[DAY1])
    UsageEvent.objects.all().delete()
    services.usage_rollup(days=[DAY1])
    assert not UsageDay.objects.exists()
    assert not UsageDaily.objects.exists()


def test_days_to_roll_catches_up_after_missed_runs(catalog):
    UsageDay.objects.create(
        day=date(2025, 3, 1), uses=1, users=0, users_sketch=b"", rolled_at=at(DAY1, 1)
    )
    services.rollup_mark_pending([date(2025, 1, 15)])
    assert services.days_to_roll(date(2025, 3, 5)) == [
        date(2025, 1, 15),
        date(2025, 3, 2),
        date(2025, 3, 3),
        date(2025, 3, 4),
        date(2025, 3, 5),
    ]


def test_the_rollup_task_rolls_up_recent_days(catalog):
    record("emr", UserFactory())
    result = rollup_recent_days.enqueue()
    assert result.return_value["usage_days"]
    assert UsageDay.objects.get().uses == 1


@pytest.mark.django_db(transaction=True)
def test_buffered_uses_are_written_after_commit_and_not_after_rollback(
    transactional_catalog, settings
):
    settings.GOROD_USAGE_WRITE = "buffered"
    settings.GOROD_USAGE_FLUSH_SECONDS = 60  # only close() writes: no timing in the test
    with transaction.atomic():
        kept = record("emr", None)
    try:
        with transaction.atomic():
            record("emr", None)
            raise RuntimeError("the booking failed")
    except RuntimeError:
        pass
    assert not UsageEvent.objects.exists()  # still in the buffer
    recorder.close()
    assert list(UsageEvent.objects.values_list("id", flat=True)) == [kept]


@pytest.mark.django_db(transaction=True)
def test_a_full_batch_is_written_without_waiting_for_the_timer(transactional_catalog, settings):
    settings.GOROD_USAGE_WRITE = "buffered"
    settings.GOROD_USAGE_BATCH = 10
    settings.GOROD_USAGE_FLUSH_SECONDS = 60
    for _ in range(10):
        record("emr", None)
    # Poll generously: this waits for the writer thread, it does not time it.
    for _ in range(400):
        if UsageEvent.objects.count() == 10:
            break
        time.sleep(0.05)
    assert UsageEvent.objects.count() == 10
    recorder.close()


@pytest.mark.django_db(transaction=True)
def test_a_clean_exit_flushes_the_buffer(transactional_catalog):
    """A separate process records with the buffered writer and exits at once: atexit must
    write what it buffered."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        )
    script = (
        "from gorod.analytics.services import usage_record\n"
        "for _ in range(7):\n"
        "    usage_record(service='emr', actor=None, action='open', channel='api')\n"
    )
    env = {
        "DATABASE_URL": url,
        "GOROD_USAGE_WRITE": "buffered",
        "GOROD_USAGE_FLUSH_SECONDS": "3600",
        "GOROD_VAR_DIR": str(settings.VAR_DIR),
        "PATH": "/usr/bin:/bin",
    }
    manage = Path(settings.PROJECT_DIR) / "manage.py"
    subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, str(manage), "shell", "-c", script], env=env, check=True, timeout=120
    )
    assert UsageEvent.objects.filter(channel="api").count() == 7


def test_service_instances_and_slugs_are_both_accepted(catalog):
    service = Service.objects.get(slug="emr")
    first = UsageEvent.objects.get(pk=record("emr", None))
    second = UsageEvent.objects.get(
        pk=services.usage_record(service=service, actor=None, action="open", channel="web")
    )
    assert first.service_id == second.service_id == service.pk
