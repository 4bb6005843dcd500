"""Rollup rows for the dashboard tests, written the way usage_rollup writes them.

Going through the events (usage_record + usage_rollup) costs an insert per use; the page
tests need weeks of days with dozens of uses each, so they write the rollups directly,
with real HyperLogLog sketches of made-up users. test_views checks once that a page built
from real events and a real rollup shows the same figures.
"""

from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.models import UsageDaily, UsageDay
from gorod.analytics.services import _new_sketch, _sketch_bytes
from gorod.catalog.models import Service
from gorod.feedback.models import RatingDaily


def analyst():
    """A staff user with the dashboard's permission (the analyst role grants it)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="analytics", codename="view_usagedaily")
    )
    return user


def seed_usage(days: dict[date, dict[tuple[str, str], int]]) -> None:
    """`days` maps a day to {(service slug, channel): uses}; user i of a row is "u<i>",
    so a row of n uses has n users and the same users recur across rows and days."""
    ids = dict(Service.objects.values_list("slug", "pk"))
    for day, rows in days.items():
        day_sketch = _new_sketch()
        for (slug, channel), uses in rows.items():
            sketch = _new_sketch()
            for user in range(uses):
                sketch.update(f"u{user}")
                day_sketch.update(f"u{user}")
            UsageDaily.objects.create(
                day=day,
                service_id=ids[slug],
                channel=channel,
                uses=uses,
                users=uses,
                users_sketch=_sketch_bytes(sketch),
            )
        total = sum(rows.values())
        UsageDay.objects.create(
            day=day,
            uses=total,
            users=min(total, max(rows.values())),
            users_sketch=_sketch_bytes(day_sketch),
            rolled_at=timezone.now(),
        )


def seed_ratings(days: dict[date, dict[tuple[str, int], int]]) -> None:
    """`days` maps a day to {(service slug, stars): ratings}."""
    ids = dict(Service.objects.values_list("slug", "pk"))
    RatingDaily.objects.bulk_create(
        RatingDaily(day=day, service_id=ids[slug], stars=stars, count=count)
        for day, rows in days.items()
        for (slug, stars), count in rows.items()
    )


def city_month(last: date, days: int = 40) -> None:
    """`days` days up to `last`: the medical record most used, the school diary next, the
    meter readings busy on the last days of the month, a rare service used 3 times a day,
    and ratings of the two big services."""
    usage, ratings = {}, {}
    for offset in range(days):
        day = last - timedelta(days=offset)
        usage[day] = {
            ("emr", "web"): 40 + offset % 7,
            ("emr", "mobile"): 60,
            ("school-diary", "mobile"): 30,
            ("meter-readings", "web"): 25 if day.day >= 15 else 12,
            ("doctor-appointment", "kiosk"): 3,
        }
        ratings[day] = {("emr", 5): 8, ("emr", 4): 2, ("emr", 1): 1, ("school-diary", 3): 2}
    seed_usage(usage)
    seed_ratings(ratings)


# Shares of the portal's uses on a typical day (DOMAIN.md: the medical record about half,
# the school diary over a quarter, meter readings about a tenth).
DEMO_SERVICES = {
    "emr": 0.48,
    "school-diary": 0.27,
    "meter-readings": 0.09,
    "doctor-appointment": 0.08,
    "clubs-enrollment": 0.05,
    "doctor-home-visit": 0.03,
}
DEMO_CHANNELS = {"mobile": 0.55, "web": 0.38, "api": 0.05, "kiosk": 0.02}


def demo_year(last: date, days: int = 365, daily: int = 2_000_000) -> None:
    """A year that looks like the city's: weekday peaks, a summer dip, the school diary
    quiet in July, meter readings crowding the 15th–25th. Uses are at city scale; the
    users' sketches sample a few thousand made-up people per row (enough to look real)."""
    services = dict(Service.objects.filter(slug__in=DEMO_SERVICES).values_list("slug", "pk"))
    usage_rows, day_rows, ratings = [], [], []
    for offset in range(days):
        day = last - timedelta(days=offset)
        weekday = 0.7 if day.weekday() >= 5 else 1.0
        season = 0.8 if day.month in (7, 8) else 1.0
        total = 0
        day_sketch = _new_sketch()
        for slug, share in DEMO_SERVICES.items():
            if slug not in services:
                continue
            factor = share * weekday * season
            if slug == "school-diary" and day.month in (7, 8):
                factor *= 0.1
            if slug == "meter-readings" and 15 <= day.day <= 25:
                factor *= 2.5
            for channel, channel_share in DEMO_CHANNELS.items():
                uses = int(daily * factor * channel_share * (1 + (offset % 11) / 50))
                if uses == 0:
                    continue
                sketch = _new_sketch()
                for person in range(min(uses, 300)):
                    key = f"{slug}{person * 7 + offset % 5}"
                    sketch.update(key)
                    day_sketch.update(key)
                usage_rows.append(
                    UsageDaily(
                        day=day,
                        service_id=services[slug],
                        channel=channel,
                        uses=uses,
                        users=min(uses, 300),
                        users_sketch=_sketch_bytes(sketch),
                    )
                )
                total += uses
        day_rows.append(
            UsageDay(
                day=day,
                uses=total,
                users=min(total, 1800),
                users_sketch=_sketch_bytes(day_sketch),
                rolled_at=timezone.now(),
            )
        )
        for slug, stars_counts in (
            ("emr", {5: 900, 4: 120, 3: 40, 2: 15, 1: 30}),
            ("school-diary", {5: 500, 4: 150, 3: 60, 2: 30, 1: 40}),
            ("meter-readings", {5: 300 + offset % 40, 4: 80, 3: 30, 2: 10, 1: 25}),
        ):
            ratings.extend(
                RatingDaily(day=day, service_id=services[slug], stars=stars, count=count)
                for stars, count in stars_counts.items()
            )
    UsageDaily.objects.bulk_create(usage_rows, batch_size=500)
    UsageDay.objects.bulk_create(day_rows, batch_size=500)
    RatingDaily.objects.bulk_create(ratings, batch_size=500)
