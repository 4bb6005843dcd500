from datetime import UTC, date, datetime

import time_machine

from gorod.core import clock


def test_the_city_date_turns_at_city_midnight_not_utc_midnight(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    late_utc_evening = datetime(2026, 3, 14, 21, 30, tzinfo=UTC)  # 00:30 in Moscow
    assert clock.local_date(late_utc_evening) == date(2026, 3, 15)
    assert clock.local_now(late_utc_evening).hour == 0


def test_without_a_moment_the_clock_reads_now(settings):
    settings.TIME_ZONE = "Asia/Vladivostok"
    with time_machine.travel(datetime(2026, 12, 31, 14, 5, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2026, 12, 31, 14, 5, tzinfo=UTC)
        assert clock.local_date() == date(2027, 1, 1)
        assert str(clock.city_zone()) == "Asia/Vladivostok"
