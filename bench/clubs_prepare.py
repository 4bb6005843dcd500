"""The clubs bench's preparation (bench/clubs.py runs the load): the searches parents type,
the group pages they open, and the families of the enrollment morning, each a parent with
a personal API token and a verified child of their own, and the few popular groups they
all apply to."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from run import BenchError, say

EMAIL_PREFIX = "bench-clubs-"
TOKEN_NAME = "bench-clubs"  # noqa: S105 — the tokens' name, not a secret
SEARCH_PAGE = "/clubs/"
SEARCH_API = "/api/v1/clubs/groups"
GROUP_PAGE = "/clubs/groups/{id}/"
APPLY_API = "/api/v1/clubs/applications"
# The morning's popular groups: this many, each with this many places (so most families
# of a run end on a waiting list), and the families' children's age on the programmes'
# start date, which every one of those groups takes.
RUSH_GROUPS = 10
RUSH_PLACES = 20
CHILD_AGE = 9
# The activities parents rush for first; the groups are picked in this order.
POPULAR = (
    "Футбол",
    "Шахматы",
    "Плавание",
    "Хоккей",
    "Английский язык",
    "Баскетбол",
    "Дзюдо",
    "Волейбол",
    "Настольный теннис",
    "Бокс",
    "Каратэ",
    "Самбо",
)
# Group pages opened, a sample of the demo's groups (all of them when fewer).
GROUP_PAGES = 500
# The queries parents type: (kind, words). The districts and ages are added from the
# database (the districts with most groups).
WORDS = ("шахматы", "футбол", "рисование", "плавание", "танцы", "английский")
# «футбол» and «рисование» typed with the English layout on.
WRONG_LAYOUT = ("aen,jk", "hbcjdfybt")
DISTRICT_AGES = (9, 7, 12)
# The city's size: the demo's programmes (imported from the registers) multiplied by
# `multiply` into this many programmes and active groups, each group with weekly sessions
# at a venue of its programme's organisation. The copies' titles end in GENERATED and a
# number, so they are recognisable, unique, and found again by a second run.
CITY_GROUPS = 135_000
CITY_PROGRAMMES = 45_000
GENERATED = " (поток "
GENERATE_BATCH = 3_000  # programmes written at once, with their groups and sessions


@dataclass(frozen=True)
class Family:
    user_id: int
    child_id: int
    token: str
    group_id: int  # the rush group this family applies to


@dataclass(frozen=True)
class Search:
    kind: str  # "word", "district + age", "no criteria", "wrong layout"
    params: tuple[tuple[str, str], ...]

    def page(self) -> str:
        return SEARCH_PAGE + (f"?{urllib.parse.urlencode(self.params)}" if self.params else "")

    def api(self) -> str:
        return SEARCH_API + (f"?{urllib.parse.urlencode(self.params)}" if self.params else "")

    def shown(self) -> str:
        return " ".join(f"{key}={value}" for key, value in self.params) or "(nothing)"


@dataclass(frozen=True)
class RushGroup:
    group_id: int
    title: str  # "Футбол (ГБУ «СШ № 1»), ages 7–12"
    requires_test: bool


@dataclass(frozen=True)
class Generated:
    """What `multiply` found and wrote."""

    demo_programmes: int
    demo_groups: int  # active
    programmes: int  # the copies in the database
    groups: int
    sessions: int
    venues: int  # the venues the copies' groups meet at
    reused: bool  # a previous run's copies, written before
    seconds: float


@dataclass
class Prepared:
    families: list[Family]
    rush: list[RushGroup]
    searches: list[Search]
    group_pages: list[str]
    groups: int  # active groups in the database
    programmes: int
    organisations: int
    applications: int  # the demo's applications, before the bench's
    generated: Generated
    setup_s: float = 0.0
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def rush_ids(self) -> list[int]:
        return [group.group_id for group in self.rush]


def apply_body(family: Family) -> str:
    return json.dumps(
        {"child_id": family.child_id, "group_id": family.group_id}, separators=(",", ":")
    )


def multiply(groups_wanted: int = CITY_GROUPS, programmes_wanted: int = CITY_PROGRAMMES):
    """The demo's programmes copied until the database holds `programmes_wanted`
    programmes and `groups_wanted` active groups: each copy is a source programme (its
    activity, description, ages, terms and search lemmas) at a random organisation that
    has venues, titled with GENERATED and its round, with about three groups at that
    organisation's venues, each with one to three weekly sessions and no place taken.
    Written with bulk_create, GENERATE_BATCH programmes at a time; then ANALYZE. Copies
    already in the database (a previous run's) are reused, not added again."""
    from django.db import connection, transaction

    from gorod.clubs.finder import forget_vocabulary
    from gorod.clubs.models import Group, GroupSession, Programme, Venue
    from gorod.clubs.search import lemmas_of

    started = time.perf_counter()
    copies = Programme.objects.filter(title__contains=GENERATED)
    demo_programmes = Programme.objects.exclude(title__contains=GENERATED).count()
    demo_groups = Group.objects.filter(active=True).exclude(pk__in=_generated_groups()).count()
    if copies.exists():
        groups = Group.objects.filter(programme__in=copies)
        generated = Generated(
            demo_programmes,
            demo_groups,
            copies.count(),
            groups.count(),
            GroupSession.objects.filter(group__in=groups).count(),
            groups.values("venue").distinct().count(),
            reused=True,
            seconds=time.perf_counter() - started,
        )
        say(f"reusing {generated.groups:,} generated groups of {generated.programmes:,} programmes")
        return generated
    sources = list(Programme.objects.order_by("pk"))
    venues: dict[int, list[int]] = defaultdict(list)
    for venue_id, organisation_id in Venue.objects.order_by("pk").values_list(
        "pk", "organisation_id"
    ):
        venues[organisation_id].append(venue_id)
    organisations = sorted(venues)
    new_programmes = max(0, programmes_wanted - len(sources))
    new_groups = max(0, groups_wanted - demo_groups)
    if not sources or not organisations or not new_programmes or not new_groups:
        raise BenchError(
            f"nothing to multiply: {len(sources)} programmes, {len(organisations)} "
            f"organisations with venues, {new_programmes} programmes and {new_groups} groups "
            "wanted"
        )
    say(
        f"multiplying {len(sources):,} programmes into {new_programmes:,} more, with "
        f"{new_groups:,} groups (to {groups_wanted:,} active groups)"
    )
    rnd = random.Random(135)  # noqa: S311 — invented rows
    suffix_lemmas: dict[int, list[str]] = {}
    keys: set[tuple] = set()
    per_programme, extra = divmod(new_groups, new_programmes)
    written = sessions = 0
    used_venues: set[int] = set()
    through = Programme.venues.through
    with transaction.atomic():
        for start in range(0, new_programmes, GENERATE_BATCH):
            batch, plans = [], []
            for n in range(start, min(start + GENERATE_BATCH, new_programmes)):
                source, round_ = sources[n % len(sources)], n // len(sources) + 1
                title = f"{source.title}{GENERATED}{round_})"
                organisation = rnd.choice(organisations)
                while (organisation, title, source.age_min, source.age_max, source.sex) in keys:
                    organisation = rnd.choice(organisations)
                keys.add((organisation, title, source.age_min, source.age_max, source.sex))
                if round_ not in suffix_lemmas:
                    suffix_lemmas[round_] = lemmas_of(f"{GENERATED}{round_})").split()
                lemmas = dict.fromkeys([*source.search_lemmas.split(), *suffix_lemmas[round_]])
                batch.append(
                    Programme(
                        organisation_id=organisation,
                        title=title,
                        direction=source.direction,
                        activity=source.activity,
                        description=source.description,
                        age_min=source.age_min,
                        age_max=source.age_max,
                        sex=source.sex,
                        is_free=source.is_free,
                        price_month=source.price_month,
                        enrollment=source.enrollment,
                        season_opens_at=source.season_opens_at,
                        requires_test=source.requires_test,
                        starts_on=source.starts_on,
                        search_lemmas=" ".join(lemmas),
                    )
                )
                plans.append(per_programme + (1 if n < extra else 0))
            Programme.objects.bulk_create(batch)
            groups = []
            for programme, how_many in zip(batch, plans, strict=True):
                places = venues[programme.organisation_id]
                groups += [
                    Group(
                        programme=programme,
                        venue_id=rnd.choice(places),
                        name=f"Группа {k}",
                        capacity=rnd.randint(10, 25),
                        active=True,
                    )
                    for k in range(1, how_many + 1)
                ]
            Group.objects.bulk_create(groups)
            through.objects.bulk_create(
                [
                    through(programme_id=programme_id, venue_id=venue_id)
                    for programme_id, venue_id in {(g.programme.pk, g.venue_id) for g in groups}
                ]
            )
            weekly = []
            for group in groups:
                hour = rnd.randint(9, 19)
                weekly += [
                    GroupSession(
                        group=group,
                        weekday=day,
                        starts_at=dt.time(hour),
                        ends_at=dt.time(hour + 1, 30),
                    )
                    for day in sorted(rnd.sample(range(7), rnd.choice((1, 2, 2, 3))))
                ]
            GroupSession.objects.bulk_create(weekly, batch_size=10_000)
            written += len(groups)
            sessions += len(weekly)
            used_venues.update(g.venue_id for g in groups)
            say(
                f"  {start + len(batch):,}/{new_programmes:,} programmes, {written:,} groups, "
                f"{sessions:,} sessions ({time.perf_counter() - started:,.0f} s)"
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    forget_vocabulary()
    generated = Generated(
        demo_programmes,
        demo_groups,
        new_programmes,
        written,
        sessions,
        len(used_venues),
        reused=False,
        seconds=time.perf_counter() - started,
    )
    say(f"generated in {generated.seconds:,.0f} s (ANALYZE included)")
    return generated


def _generated_groups():
    from gorod.clubs.models import Group

    return Group.objects.filter(programme__title__contains=GENERATED).values("pk")


def prepare(count_: int, workdir: Path) -> Prepared:
    """The searches and group pages; the rush groups (RUSH_PLACES places, none taken);
    `count_` families, each a parent with a token and a verified child who fits every rush
    group, assigned to the rush groups in turn. Written in bulk, not through the services:
    the setup is not what is measured."""
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from gorod.accounts.models import ApiToken, Guardianship, Person, Sex, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.clubs import rules
    from gorod.clubs.models import Application, Group, Organisation, Programme

    if User.objects.filter(email__startswith=EMAIL_PREFIX).exists():
        raise BenchError("the benchmark database already holds the clubs bench's families")
    generated = multiply()
    active = Group.objects.filter(active=True)
    if not active.exists():
        raise BenchError("no clubs: `gorod demo` wrote no groups")
    districts = [
        district
        for district, _n in active.exclude(venue__district="")
        .values_list("venue__district")
        .annotate(n=Count("pk"))
        .order_by("-n", "venue__district")[: len(DISTRICT_AGES)]
    ]
    searches = [
        *(Search("word", (("q", word),)) for word in WORDS),
        *(
            Search("district + age", (("district", district), ("age", str(age))))
            for district, age in zip(districts, DISTRICT_AGES, strict=False)
        ),
        Search("no criteria", ()),
        *(Search("wrong layout", (("q", typed),)) for typed in WRONG_LAYOUT),
    ]
    ids = sorted(active.values_list("pk", flat=True))
    sample = random.Random(5).sample(ids, min(GROUP_PAGES, len(ids)))  # noqa: S311 — a sample
    group_pages = [GROUP_PAGE.format(id=pk) for pk in sample]
    rush = _rush_groups(timezone.now())
    now = timezone.now()
    with transaction.atomic():
        Group.objects.filter(pk__in=[group.pk for group in rush]).update(capacity=RUSH_PLACES)
        starts = {group.programme.starts_on for group in rush}
        latest = max(starts)
        users = [User(email=f"{EMAIL_PREFIX}parent-{n:05d}@gorod.local") for n in range(count_)]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        parents = Person.objects.bulk_create(
            Person(
                user=user,
                last_name="Нагрузочная",
                first_name="Мама",
                middle_name=f"№ {n}",
                birth_date=dt.date(1982 + n % 12, 1 + n % 12, 1 + n % 28),
                sex=Sex.FEMALE,
            )
            for n, user in enumerate(users)
        )
        # CHILD_AGE on the latest start date, and no more than that on the others (a
        # birthday within the 300 days before it).
        born = [
            dt.date(latest.year - CHILD_AGE, latest.month, latest.day)
            - dt.timedelta(days=1 + n % 300)
            for n in range(count_)
        ]
        for n, birth_date in enumerate(born):
            for group in rush:
                programme = group.programme
                if not rules.age_fits(
                    birth_date=birth_date,
                    starts_on=programme.starts_on,
                    age_min=programme.age_min,
                    age_max=programme.age_max,
                ):
                    raise BenchError(f"child {n} (born {birth_date}) does not fit group {group.pk}")
        children = Person.objects.bulk_create(
            Person(
                last_name="Нагрузочный",
                first_name="Ребёнок",
                middle_name=f"№ {n}",
                birth_date=birth_date,
                sex=Sex.MALE if n % 2 else Sex.FEMALE,
            )
            for n, birth_date in enumerate(born)
        )
        Guardianship.objects.bulk_create(
            Guardianship(
                guardian=parent, child=child, kind=Guardianship.Kind.PARENT, verified_at=now
            )
            for parent, child in zip(parents, children, strict=True)
        )
        tokens, families = [], []
        for n, (user, child) in enumerate(zip(users, children, strict=True)):
            prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(
                    user=user, name=TOKEN_NAME, prefix=prefix, secret_hash=_hash_secret(secret)
                )
            )
            families.append(
                Family(
                    user.pk,
                    child.pk,
                    f"{API_TOKEN_PREFIX}_{prefix}_{secret}",
                    rush[n % len(rush)].pk,
                )
            )
        ApiToken.objects.bulk_create(tokens)
        tokens_used()
    prepared = Prepared(
        families=families,
        rush=[
            RushGroup(
                group.pk,
                f"{group.programme.activity or group.programme.title} "
                f"({group.programme.organisation.short_name}), "
                f"{group.programme.age_min}–{group.programme.age_max}",
                group.programme.requires_test,
            )
            for group in rush
        ],
        searches=searches,
        group_pages=group_pages,
        groups=active.count(),
        programmes=Programme.objects.count(),
        organisations=Organisation.objects.count(),
        applications=Application.objects.count(),
        generated=generated,
    )
    prepared.files = _write_files(prepared, workdir)
    say(
        f"{count_:,} families, {len(rush)} rush groups × {RUSH_PLACES} places, "
        f"{len(searches)} searches, {len(group_pages)} group pages"
    )
    return prepared


def tokens_used() -> None:
    """Every bench token used "just now", as by a parent who has the app open: the server
    writes last_used_at only on a token's first request in a minute."""
    from django.utils import timezone

    from gorod.accounts.models import ApiToken

    ApiToken.objects.filter(name=TOKEN_NAME).update(last_used_at=timezone.now())


def _rush_groups(now: dt.datetime) -> list:
    """RUSH_GROUPS active groups no application has touched, each of its own programme
    open for applications now, for boys and girls, taking CHILD_AGE-year-olds: of the
    POPULAR activities first, one of each in their order, then any."""
    from django.db.models import Q

    from gorod.clubs.models import Group

    fitting = list(
        Group.objects.filter(
            active=True,
            applications__isnull=True,
            taken=0,
            programme__sex="",
            programme__age_min__lte=CHILD_AGE,
            programme__age_max__gte=CHILD_AGE,
        )
        .filter(Q(programme__season_opens_at__isnull=True) | Q(programme__season_opens_at__lte=now))
        .exclude(programme__title__contains=GENERATED)
        .select_related("programme__organisation")
        .order_by("pk")
    )
    chosen, programmes = [], set()
    # One group of each popular activity in turn, then any others.
    firsts = [
        next((g for g in fitting if g.programme.activity == activity), None) for activity in POPULAR
    ]
    for group in [g for g in firsts if g is not None] + fitting:
        if group.programme_id in programmes:
            continue
        chosen.append(group)
        programmes.add(group.programme_id)
        if len(chosen) == RUSH_GROUPS:
            return chosen
    raise BenchError(f"only {len(chosen)} groups fit the rush; {RUSH_GROUPS} wanted")


def _write_files(prepared: Prepared, workdir: Path) -> dict[str, Path]:
    """The paths and families bench/clubs_mix.lua reads, one a line."""
    files = {
        "search": [search.page() for search in prepared.searches],
        "search-empty": [Search("no criteria", ()).page()],
        "api": [search.api() for search in prepared.searches],
        "group": prepared.group_pages,
        "rush": [f"{f.token} {apply_body(f)}" for f in prepared.families],
        # The mix's searches: the page and the API, the same queries.
        "mix": [
            *(search.page() for search in prepared.searches),
            *(search.api() for search in prepared.searches),
        ],
    }
    written = {}
    for kind, lines in files.items():
        path = workdir / f"clubs_{kind}.txt"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        written[kind] = path
    return written
