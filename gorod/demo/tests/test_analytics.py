"""The generated demo year: deterministic, shaped like the published figures, and loaded
by `gorod demo` through the real imports and rollups."""

import csv
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gorod.analytics.models import ImportRun
from gorod.demo import analytics as demo
from gorod.demo.analytics import DemoService, catalog_services, demo_generate

LAST = date(2025, 12, 31)  # a calendar year: January to December, holidays included


def read(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[1:]


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """One generated year, big enough for its shape to show through the noise."""
    files = demo_generate(tmp_path_factory.mktemp("demo"), events=120_000, last=LAST)
    return files, read(files.usage), read(files.ratings)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = demo_generate(tmp_path / "a", events=5_000, seed=7, last=LAST)
    again = demo_generate(tmp_path / "b", events=5_000, seed=7, last=LAST)
    other = demo_generate(tmp_path / "c", events=5_000, seed=8, last=LAST)
    assert first.usage.read_bytes() == again.usage.read_bytes()
    assert first.ratings.read_bytes() == again.ratings.read_bytes()
    assert first.usage.read_bytes() != other.usage.read_bytes()
    assert not list(tmp_path.glob("*/*.part"))


def test_files_have_the_import_headers_and_the_asked_size(year):
    files, uses, ratings = year
    assert files.usage.read_text(encoding="utf-8").startswith("occurred_at,service,user,channel\n")
    header = files.ratings.read_text(encoding="utf-8").splitlines()[0]
    assert header == "occurred_at,service,user,stars,comment"
    assert len(uses) == files.uses == 120_000
    assert len(ratings) == files.ratings_count
    assert (files.first, files.last, len(files.days)) == (date(2025, 1, 1), LAST, 365)
    known = {service.slug for service in catalog_services()}
    assert {row[1] for row in uses} <= known
    assert {row[3] for row in uses} == {"web", "mobile", "api", "kiosk"}
    # Every user is an invented pseudonym, or empty for an anonymous kiosk use.
    assert all(row[2].startswith("demo-") or (row[2] == "" and row[3] == "kiosk") for row in uses)
    moments = [datetime.fromisoformat(row[0]) for row in uses[:1000]]
    assert all(moment.utcoffset() == timedelta(hours=3) for moment in moments)
    assert moments == sorted(moments)


def test_top_three_and_their_shares(year):
    _files, uses, _ratings = year
    by_service = Counter(row[1] for row in uses)
    ranked = [slug for slug, _count in by_service.most_common(5)]
    assert ranked == [
        "emr",
        "school-diary",
        "meter-readings",
        "doctor-appointment",
        "clubs-enrollment",
    ]
    shares = {slug: by_service[slug] / len(uses) for slug in ranked[:3]}
    assert 0.46 < shares["emr"] < 0.52
    assert 0.24 < shares["school-diary"] < 0.30
    assert 0.075 < shares["meter-readings"] < 0.105
    # The long tail is long: most of the catalog is used at least once.
    assert len(by_service) > 300


def per_day(rows, slug=None) -> dict[date, int]:
    counts = Counter(row[0][:10] for row in rows if slug is None or row[1] == slug)
    return {date.fromisoformat(day): count for day, count in counts.items()}


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def test_weekdays_busier_than_weekends_and_the_diary_rests(year):
    _files, uses, _ratings = year
    days = per_day(uses)
    assert mean(n for d, n in days.items() if d.weekday() < 5) > 1.3 * mean(
        n for d, n in days.items() if d.weekday() >= 5
    )
    diary = per_day(uses, "school-diary")
    october_weekdays = [n for d, n in diary.items() if d.month == 10 and d.weekday() < 5]
    october_weekends = [n for d, n in diary.items() if d.month == 10 and d.weekday() >= 5]
    july = [diary.get(date(2025, 7, day), 0) for day in range(1, 32)]
    assert mean(october_weekends) < 0.4 * mean(october_weekdays)
    assert mean(july) < 0.1 * mean(october_weekdays)


def test_meter_readings_come_in_the_window_and_peak_before_it_closes(year):
    _files, uses, _ratings = year
    meters = per_day(uses, "meter-readings")
    total = sum(meters.values())
    outside = sum(n for d, n in meters.items() if 3 < d.day < 15)
    assert outside < 0.05 * total
    busiest = sorted(meters, key=meters.get, reverse=True)[:12]
    assert all(day.day in (1, 2, 3) for day in busiest)


def test_demand_grows_by_about_a_third(year):
    _files, uses, _ratings = year
    days = per_day(uses)
    first_quarter = sum(n for d, n in days.items() if d.month <= 3)
    last_quarter = sum(n for d, n in days.items() if d.month >= 10)
    assert 1.15 < last_quarter / first_quarter < 1.6


def test_ratings_are_few_mostly_fives_and_low_ones_say_why(year):
    _files, uses, ratings = year
    assert 0.002 < len(ratings) / len(uses) < 0.02
    stars = Counter(int(row[3]) for row in ratings)
    assert 0.78 < stars[5] / len(ratings) < 0.90
    low = [row for row in ratings if int(row[3]) <= 2]
    assert sum(1 for row in low if row[4]) > 0.5 * len(low)
    written = set(demo.COMPLAINTS_ANY + demo.WISHES + demo.PRAISE)
    written.update(text for texts in demo.COMPLAINTS.values() for text in texts)
    assert {row[4] for row in ratings if row[4]} <= written
    users = {row[2] for row in uses}
    assert all(row[2] in users and row[2] for row in ratings)


def test_a_small_catalog_works_too(tmp_path):
    services = [DemoService("emr", "flagship"), DemoService("passport", "form")]
    files = demo_generate(tmp_path, events=1_000, last=LAST, services=services)
    assert {row[1] for row in read(files.usage)} == {"emr", "passport"}


def test_gorod_demo_if_empty_skips_everything(catalog):
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert ImportRun.objects.count() == 0
    assert "уже загружен" in out.getvalue()


def test_usage_scale_must_be_positive(catalog):
    with pytest.raises(CommandError):
        call_command("demo", "--usage-scale", "0", stdout=StringIO())


def test_daily_weekday_means_by_day_of_week_are_not_flat(year):
    """Monday is the busiest day of the week, Sunday the quietest (catches a lost rhythm)."""
    _files, uses, _ratings = year
    by_weekday = defaultdict(list)
    for day, count in per_day(uses).items():
        by_weekday[day.weekday()].append(count)
    means = {weekday: mean(counts) for weekday, counts in by_weekday.items()}
    assert max(means, key=means.get) == 0
    assert min(means, key=means.get) in (5, 6)
