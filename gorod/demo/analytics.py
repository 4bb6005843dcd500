"""Generated demo usage and ratings: a year of an invented city shaped like the real one.

Nothing here is real data. `gorod demo` and `make bench` write two CSV files in the
import formats (`gorod analytics import`, `gorod feedback import`) whose users are
pseudonyms of invented people ("demo-000123") and whose comments come from a short list
written for the demo. The shape follows the figures the city publishes (DOMAIN.md, "Scale
and usage"):

- shares of the top three: medical record ~49 %, school diary ~27 %, meter readings ~9 %;
  then the doctor appointment and clubs enrollment, then a Zipf-like long tail;
- demand grows by about a third from the first day to the last;
- weekdays busier than weekends and public holidays; a dip in summer and in May;
- the school diary is quiet on weekends and in school holidays;
- meter readings come in the window (15th to the 3rd) and peak on its last days;
- time-of-day rhythm (the diary in the evening), channels (mobile leads for flagships);
- a pool of users with heavy-tailed repeat use;
- a fraction of uses (0.3–2 % by kind of service) leaves a rating, ~84 % of them fives,
  low ones mostly with a comment.

The same seed, size, end date and catalog give byte-identical files (numpy's PCG64 stream,
pinned by the lock file), so a benchmark can cache them and a test can compare them.
"""

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from gorod.analytics.rules import USAGE_IMPORT_HEADER
from gorod.core.channels import CHANNELS

DEFAULT_SEED = 2025
# `gorod demo` generates, imports and rolls this up in about 15 s on SQLite on a 2-core laptop;
# `gorod demo --usage-scale N` multiplies it.
DEFAULT_EVENTS = 300_000
DAYS = 365
RATINGS_HEADER = ("occurred_at", "service", "user", "stars", "comment")
CATALOG_CSV = Path(__file__).resolve().parent.parent / "catalog" / "fixtures" / "services.csv"
ZONE = ZoneInfo("Europe/Moscow")

# Yearly shares of the flagships (first half of 2025: 269 M, 150 M, 50 M of ~550 M).
FLAGSHIP_SHARES = {
    "emr": 0.49,
    "school-diary": 0.27,
    "meter-readings": 0.09,
    "doctor-appointment": 0.045,
    "clubs-enrollment": 0.015,
}
# Everyday services that head the long tail, in this order; the rest follow in an order
# drawn from the seed.
TAIL_HEAD = (
    "pay-housing-utilities",
    "e-prescriptions",
    "fines-payment",
    "parking-payment",
    "troika-top-up",
    "school-meals-payment",
    "epd-electronic",
    "vaccination-appointment",
    "electricity-readings",
    "kindergarten-enrollment",
    "first-grade-enrollment",
    "utility-payment-history",
)
TAIL_EXPONENT = 1.05
GROWTH = 1 / 3

# Monday … Sunday; public holidays count as Sundays.
WEEK = {
    "default": (1.06, 1.04, 1.03, 1.02, 0.98, 0.72, 0.65),
    "emr": (1.08, 1.06, 1.04, 1.03, 0.98, 0.74, 0.66),
    "doctor": (1.22, 1.10, 1.05, 1.02, 0.95, 0.45, 0.35),
    "diary": (1.05, 1.0, 1.0, 0.98, 0.9, 0.22, 0.3),
    "meters": (1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 0.9),
}
# January … December.
MONTHS = {
    "default": (0.96, 1.0, 1.02, 1.0, 0.93, 0.92, 0.86, 0.9, 1.03, 1.05, 1.04, 0.98),
    # Colds and flu in the cold months, holidays in summer.
    "health": (1.08, 1.12, 1.05, 1.0, 0.92, 0.88, 0.84, 0.88, 1.0, 1.06, 1.1, 1.08),
    # Enrollment for the school year opens in late summer.
    "clubs": (0.7, 0.55, 0.5, 0.45, 0.5, 0.55, 0.35, 1.6, 3.0, 1.3, 0.8, 0.7),
    "first-grade": (0.4, 0.4, 0.5, 3.0, 1.2, 1.0, 0.6, 0.4, 0.4, 0.4, 0.4, 0.4),
}
PUBLIC_HOLIDAYS = {(1, d) for d in range(1, 9)} | {
    (2, 23),
    (3, 8),
    (5, 1),
    (5, 9),
    (6, 12),
    (11, 4),
}
# School holidays as (first, last) month-day pairs; the summer ones are the longest.
SCHOOL_HOLIDAYS = (((10, 26), (11, 3)), ((12, 29), (1, 11)), ((3, 22), (3, 30)), ((6, 1), (8, 31)))
METER_WINDOW = (15, 3)  # DOMAIN.md: from the 15th to the 3rd of the next month

# Relative uses per hour of the day, 0 … 23.
HOURS = {
    "default": (
        0.15, 0.08, 0.05, 0.04, 0.05, 0.15, 0.4, 0.8, 1.2, 1.5, 1.6, 1.6,
        1.5, 1.5, 1.5, 1.4, 1.3, 1.3, 1.4, 1.5, 1.4, 1.1, 0.7, 0.35,
    ),
    "diary": (
        0.05, 0.02, 0.01, 0.01, 0.02, 0.1, 0.5, 1.0, 0.9, 0.6, 0.6, 0.6,
        0.7, 0.8, 1.0, 1.1, 1.2, 1.4, 1.7, 2.1, 2.2, 1.8, 0.9, 0.3,
    ),
    "meters": (
        0.2, 0.1, 0.05, 0.04, 0.05, 0.1, 0.3, 0.6, 0.9, 1.1, 1.2, 1.2,
        1.2, 1.2, 1.2, 1.2, 1.3, 1.5, 1.8, 2.1, 2.2, 2.0, 1.4, 0.7,
    ),
}  # fmt: skip
# Shares of web, mobile, api, kiosk (CHANNELS order).
CHANNEL_MIX = {
    "flagship": (0.36, 0.58, 0.04, 0.02),
    "meters": (0.38, 0.50, 0.10, 0.02),
    "default": (0.58, 0.36, 0.03, 0.03),
}
KIOSK_ANONYMOUS = 0.5  # street kiosks serve many uses without signing in
USES_PER_USER = 40  # 760 M uses by 15.9 M registered users in 2023: ~48 a year
# How often each person comes is log-normal: a few use the portal daily, most now and then.
USER_ACTIVITY_SIGMA = 1.2

# Chance that a (signed-in) use is rated, by kind of service: after filing an application
# people rate more often than after glancing at their medical record.
RATING_RATE = {"flagship": 0.003, "form": 0.02, "info": 0.006, "external": 0.003}
# Share of fives; the rest split over 4, 3, 2, 1 in LOW_SPLIT proportions (a J-curve:
# more ones than twos).
FIVES = {
    "emr": 0.86,
    "school-diary": 0.84,
    "meter-readings": 0.83,
    "doctor-appointment": 0.85,
    "clubs-enrollment": 0.8,
}
FIVES_DEFAULT = 0.84
FIVES_SPREAD = 0.04
# On the last days of the reading window the channels overload, and ratings show it.
FIVES_METER_RUSH = 0.62
LOW_SPLIT = (0.40, 0.22, 0.12, 0.26)
COMMENT_CHANCE = {1: 0.7, 2: 0.7, 3: 0.5, 4: 0.12, 5: 0.04}

COMPLAINTS_ANY = (
    "Долго грузится страница.",
    "Выдало ошибку при отправке, пришлось заполнять заново.",
    "Не пришло подтверждение на почту.",
    "Слишком много шагов, можно сделать проще.",
    "В приложении не открывается, только на сайте.",
    "Непонятно, что делать дальше после отправки.",
    "Выкидывает из личного кабинета, приходится входить снова.",
    "Не нашла, где посмотреть статус заявления.",
)
COMPLAINTS = {
    "emr": (
        "Результаты анализов появились только через неделю.",
        "После приёма нет заключения врача.",
        "Не видно прививок ребёнка.",
    ),
    "school-diary": (
        "Оценки выставляют с опозданием.",
        "Домашнее задание не отображается.",
        "Не приходят уведомления об оценках.",
    ),
    "meter-readings": (
        "В последний день не получилось передать показания, сайт висит.",
        "Не принимает показания, пишет, что меньше предыдущих.",
        "В списке нет счётчика горячей воды.",
    ),
    "doctor-appointment": (
        "Нет свободных талонов к терапевту.",
        "Ближайшая запись только через две недели.",
        "К неврологу без направления не записаться, а направление не дают.",
    ),
    "clubs-enrollment": (
        "Все места в кружок разобрали за минуту.",
        "Не видно, сколько мест осталось в группе.",
    ),
}
WISHES = (
    "Добавьте напоминание о сроках.",
    "Хотелось бы сохранять черновик заявления.",
    "Было бы удобно видеть историю обращений.",
    "Сделайте тёмную тему в приложении.",
)
PRAISE = (
    "Всё быстро и понятно, спасибо!",
    "Удобно, не пришлось никуда ехать.",
    "Отлично работает.",
)


@dataclass(frozen=True)
class DemoService:
    slug: str
    kind: str


@dataclass(frozen=True)
class DemoFiles:
    usage: Path
    ratings: Path
    uses: int
    ratings_count: int
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def catalog_services(path: Path = CATALOG_CSV) -> list[DemoService]:
    """The services of the project's catalog fixture, in its order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [DemoService(row["slug"], row["kind"]) for row in csv.DictReader(handle)]


def demo_file_names(seed: int, events: int, last: date) -> tuple[str, str]:
    stem = f"s{seed}-n{events}-{last.isoformat()}"
    return f"demo-usage-{stem}.csv", f"demo-ratings-{stem}.csv"


def service_shares(services: Sequence[DemoService], rng: np.random.Generator) -> np.ndarray:
    """Yearly share of each service: the flagships' fixed shares, then a Zipf-like tail."""
    slugs = [service.slug for service in services]
    shares = np.zeros(len(services))
    for slug, share in FLAGSHIP_SHARES.items():
        if slug in slugs:
            shares[slugs.index(slug)] = share
    tail = [i for i, slug in enumerate(slugs) if slug not in FLAGSHIP_SHARES]
    head = [slugs.index(slug) for slug in TAIL_HEAD if slug in slugs]
    rest = [i for i in tail if i not in head]
    order = head + [rest[i] for i in rng.permutation(len(rest))]
    # Ranks start at 3 so that the tail's leader stays below the clubs enrollment.
    weights = 1 / np.arange(3, len(order) + 3) ** TAIL_EXPONENT
    shares[order] = weights / weights.sum() * (1 - shares.sum())
    return shares / shares.sum()


def _in_ranges(day: date, ranges) -> bool:
    key = (day.month, day.day)
    for first, last in ranges:
        if (first <= key <= last) if first <= last else (key >= first or key <= last):
            return True
    return False


def _weekday(day: date) -> int:
    return 6 if (day.month, day.day) in PUBLIC_HOLIDAYS else day.weekday()


def _meter_factor(day: date) -> float:
    """Readings come in the window and pile up on its last days (the channels overload)."""
    opens, closes = METER_WINDOW
    if closes < day.day < opens:
        return 0.03  # people who come too early or late and are told the next opening date
    if day.day >= opens:
        next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        left = (next_month - day).days - 1 + closes
    else:
        left = closes - day.day
    # `left` days remain after this one: 0 on the last day.
    return 1 + (1.2 if day.day == opens else 0) + 7 / (left + 1) ** 1.3


def _diary_factor(day: date) -> float:
    if day.month == 8 and day.day >= 25:
        return 0.25  # parents look up classes and timetables before the first of September
    if _in_ranges(day, SCHOOL_HOLIDAYS):
        return 0.04 if 6 <= day.month <= 8 else 0.1
    return WEEK["diary"][_weekday(day)]


def day_profiles(slugs: Sequence[str], days: Sequence[date]) -> np.ndarray:
    """Relative weight of each service on each day (rows: services, columns: days)."""
    growth = 1 + GROWTH * np.linspace(0, 1, len(days))

    def series(week: str, months: str, extra: Callable[[date], float] | None = None):
        values = [
            WEEK[week][_weekday(day)] * MONTHS[months][day.month - 1] * (extra(day) if extra else 1)
            for day in days
        ]
        return np.array(values) * growth

    def clubs_extra(day: date) -> float:
        return 3.0 if (day.month, day.day) == (9, 1) else 1.0

    def first_grade_extra(day: date) -> float:
        # Applications open on the 1st of April: the 6× peak the city reports.
        return 2.0 if (day.month, day.day) == (4, 1) else 1.0

    profiles = {
        "emr": series("emr", "health"),
        "doctor-appointment": series("doctor", "health"),
        "school-diary": np.array([_diary_factor(day) for day in days]) * growth,
        "meter-readings": series("meters", "default", _meter_factor),
        "clubs-enrollment": series("default", "clubs", clubs_extra),
        "first-grade-enrollment": series("default", "first-grade", first_grade_extra),
    }
    default = series("default", "default")
    return np.vstack([profiles.get(slug, default) for slug in slugs])


def _time_table(offset: str) -> list[str]:
    return [f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{offset}" for s in range(86400)]


def _offset(day: date) -> str:
    text = datetime(day.year, day.month, day.day, 12, tzinfo=ZONE).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _group(slug: str, kind: str, table: dict) -> str:
    """Which of a table's profiles (HOURS, CHANNEL_MIX) a service follows."""
    if slug == "school-diary" and "diary" in table:
        return "diary"
    if slug == "meter-readings" and "meters" in table:
        return "meters"
    if kind == "flagship" and "flagship" in table:
        return "flagship"
    return "default"


def demo_generate(
    directory: Path,
    *,
    events: int = DEFAULT_EVENTS,
    seed: int = DEFAULT_SEED,
    last: date | None = None,
    services: Sequence[DemoService] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoFiles:
    """Write a usage CSV and a ratings CSV for the 365 days ending `last` (default:
    yesterday in Moscow) into `directory`; about `events` uses in all."""
    if events < 1:
        raise ValueError("events must be positive")
    services = list(services if services is not None else catalog_services())
    last = last or datetime.now(ZONE).date() - timedelta(days=1)
    days = [last - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    rng = np.random.Generator(np.random.PCG64(seed))
    slugs = [service.slug for service in services]
    kinds = [service.kind for service in services]

    totals = rng.multinomial(events, service_shares(services, rng))
    profiles = day_profiles(slugs, days)
    counts = np.vstack(
        [
            rng.multinomial(total, row / row.sum())
            for total, row in zip(totals, profiles, strict=True)
        ]
    )

    hour_groups = [_group(slug, kind, HOURS) for slug, kind in zip(slugs, kinds, strict=True)]
    channel_groups = [
        _group(slug, kind, CHANNEL_MIX) for slug, kind in zip(slugs, kinds, strict=True)
    ]
    hour_group_of = np.array([list(HOURS).index(group) for group in hour_groups])
    channel_group_of = np.array([list(CHANNEL_MIX).index(group) for group in channel_groups])
    hour_p = [np.array(weights) / sum(weights) for weights in HOURS.values()]
    channel_p = [np.array(mix) / sum(mix) for mix in CHANNEL_MIX.values()]
    rate_of = np.array([RATING_RATE.get(kind, RATING_RATE["info"]) for kind in kinds])
    fives_of = np.clip(
        [FIVES.get(slug, FIVES_DEFAULT + rng.normal(0, FIVES_SPREAD)) for slug in slugs],
        0.5,
        0.97,
    )
    meter = slugs.index("meter-readings") if "meter-readings" in slugs else -1
    low_p = np.array(LOW_SPLIT) / sum(LOW_SPLIT)

    pool = max(200, events // USES_PER_USER)
    width = max(6, len(str(pool)))
    users = [f"demo-{n:0{width}d}" for n in range(1, pool + 1)] + [""]  # "" = anonymous
    activity = np.cumsum(rng.lognormal(0, USER_ACTIVITY_SIGMA, pool))
    activity /= activity[-1]
    # Shifted per service, so the diary's daily readers are not also the EMR's.
    user_offset = rng.integers(0, pool, len(services))
    service_fields = [f",{slug}," for slug in slugs]
    channel_fields = [f",{channel}\n" for channel in CHANNELS]
    kiosk = CHANNELS.index("kiosk")
    time_tables: dict[str, list[str]] = {}

    usage_name, ratings_name = demo_file_names(seed, events, last)
    directory.mkdir(parents=True, exist_ok=True)
    usage_path, ratings_path = directory / usage_name, directory / ratings_name
    # Written under temporary names and renamed at the end: a file under the final name is
    # always complete, so a cache of generated files can trust what it finds.
    usage_part, ratings_part = (path.with_suffix(".part") for path in (usage_path, ratings_path))
    uses = rated = 0
    with (
        usage_part.open("w", encoding="utf-8", newline="") as usage_file,
        ratings_part.open("w", encoding="utf-8", newline="") as ratings_file,
    ):
        usage_file.write(",".join(USAGE_IMPORT_HEADER) + "\n")
        ratings_csv = csv.writer(ratings_file, lineterminator="\n")
        ratings_csv.writerow(RATINGS_HEADER)
        for number, day in enumerate(days):
            service = np.repeat(np.arange(len(services)), counts[:, number])
            n = service.size
            seconds = np.empty(n, dtype=np.int64)
            for group, p in enumerate(hour_p):
                mask = hour_group_of[service] == group
                seconds[mask] = rng.choice(24, size=int(mask.sum()), p=p) * 3600
            seconds += rng.integers(0, 3600, n)
            channel = np.empty(n, dtype=np.int64)
            for group, p in enumerate(channel_p):
                mask = channel_group_of[service] == group
                channel[mask] = rng.choice(len(CHANNELS), size=int(mask.sum()), p=p)
            user = np.searchsorted(activity, rng.random(n), side="right") + user_offset[service]
            user %= pool
            anonymous = (channel == kiosk) & (rng.random(n) < KIOSK_ANONYMOUS)
            user[anonymous] = pool
            order = np.argsort(seconds, kind="stable")
            service, seconds, channel, user = (
                service[order],
                seconds[order],
                channel[order],
                user[order],
            )
            offset = _offset(day)
            times = time_tables.get(offset) or time_tables.setdefault(offset, _time_table(offset))
            prefix = day.isoformat()
            usage_file.write(
                "".join(
                    [
                        prefix + times[s] + service_fields[i] + users[u] + channel_fields[c]
                        for s, i, u, c in zip(
                            seconds.tolist(),
                            service.tolist(),
                            user.tolist(),
                            channel.tolist(),
                            strict=True,
                        )
                    ]
                )
            )
            uses += n

            # Ratings: only signed-in uses can be rated, a few minutes after the use.
            chosen = np.flatnonzero((rng.random(n) < rate_of[service]) & ~anonymous[order])
            fives = fives_of[service[chosen]]
            if meter >= 0 and _meter_factor(day) > 3:
                fives = np.where(service[chosen] == meter, FIVES_METER_RUSH, fives)
            stars = np.where(
                rng.random(chosen.size) < fives, 5, 4 - rng.choice(4, size=chosen.size, p=low_p)
            )
            later = np.minimum(seconds[chosen] + rng.integers(30, 900, chosen.size), 86399)
            comment_roll = rng.random(chosen.size)
            pick = rng.integers(0, 1 << 30, chosen.size)
            for k in np.argsort(later, kind="stable").tolist():
                slug = slugs[service[chosen[k]]]
                score = int(stars[k])
                comment = ""
                if comment_roll[k] < COMMENT_CHANCE[score]:
                    if score <= 3:
                        options = COMPLAINTS.get(slug, ()) + COMPLAINTS_ANY
                    else:
                        options = WISHES if score == 4 else PRAISE
                    comment = options[int(pick[k]) % len(options)]
                ratings_csv.writerow(
                    (
                        prefix + times[int(later[k])],
                        slug,
                        users[int(user[chosen[k]])],
                        score,
                        comment,
                    )
                )
            rated += chosen.size
            if progress is not None:
                progress(number + 1, len(days))
    usage_part.replace(usage_path)
    ratings_part.replace(ratings_path)
    return DemoFiles(usage_path, ratings_path, uses, rated, days[0], days[-1])
