"""What the clubs demo invents: the programmes an organisation of additional education
runs (by the direction the city's register lists it under), the age bands of groups, the
weekly times of a group, the teachers, the children and parents of invented families, and
the organisations of the city used when ../shared/data is absent. Every programme's
description says it was invented; the teachers' surnames are invented and sound so.
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from gorod.accounts.models import Person, Sex
from gorod.clubs.models import Direction, Group, Programme
from gorod.demo.accounts import FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES

# Said by every invented programme, after its one line of content.
INVENTED_LINE = "Демонстрационная программа: расписание и места придуманы для показа."
# Said by a section of the city's sports register that the demo gave groups.
REGISTER_LINE = (
    "Секция из реестра города (data.mos.ru, 2013). Группы, педагоги, расписание и места "
    "придуманы для показа."
)


@dataclass(frozen=True)
class Offer:
    """A programme the demo may give an organisation."""

    title: str
    activity: str
    # What the children do, in one line (the description adds INVENTED_LINE).
    line: str
    age_min: int
    age_max: int
    # Places in a group, fewest and most.
    places: tuple[int, int] = (10, 15)
    # A month's price; free when None.
    price: Decimal | None = None
    # An audition or a test before enrollment.
    test: bool = False

    @property
    def description(self) -> str:
        return f"{self.line}. {INVENTED_LINE}"


OFFERS: dict[str, tuple[Offer, ...]] = {
    Direction.ARTS: (
        Offer(
            "Хор",
            "Хоровое пение",
            "Хоровое пение, сольфеджио, концерты для родителей",
            7,
            14,
            places=(20, 25),
            test=True,
        ),
        Offer(
            "Изостудия",
            "Изобразительное искусство",
            "Рисунок, живопись и композиция; выставки работ",
            6,
            14,
        ),
        Offer(
            "Театральная студия",
            "Театр",
            "Актёрское мастерство, сценическая речь, спектакли",
            9,
            17,
            places=(12, 18),
            test=True,
        ),
        Offer(
            "Хореография",
            "Танцы",
            "Классический и народный танец, концерты",
            7,
            15,
            places=(12, 20),
        ),
        Offer(
            "Классическая гитара",
            "Гитара",
            "Игра на гитаре в ансамбле",
            10,
            17,
            places=(6, 8),
            price=Decimal("3200.00"),
        ),
        Offer(
            "Керамика",
            "Лепка",
            "Лепка из глины, гончарный круг, роспись",
            7,
            14,
            places=(8, 12),
            price=Decimal("2800.00"),
        ),
    ),
    Direction.TECHNICAL: (
        Offer(
            "Робототехника",
            "Робототехника",
            "Сборка и программирование роботов, городские соревнования",
            8,
            14,
            places=(10, 14),
        ),
        Offer(
            "Программирование на Python",
            "Программирование",
            "Первые программы, игры и олимпиадные задачи",
            11,
            17,
        ),
        Offer(
            "Авиамоделирование",
            "Моделирование",
            "Модели планёров и самолётов, запуски на стадионе",
            9,
            16,
            places=(10, 12),
        ),
        Offer(
            "3D-моделирование и печать",
            "3D-моделирование",
            "Модели в редакторе и на 3D-принтере",
            11,
            17,
            places=(8, 12),
            price=Decimal("4000.00"),
        ),
        Offer(
            "Радиоэлектроника",
            "Электроника",
            "Схемы, пайка, первые устройства",
            12,
            17,
            places=(8, 12),
        ),
    ),
    Direction.SCIENCE: (
        Offer(
            "Юный эколог",
            "Экология",
            "Наблюдения в парке, опыты с водой и почвой",
            7,
            11,
            places=(12, 15),
        ),
        Offer("Химия вокруг нас", "Химия", "Опыты в лаборатории и химия в быту", 12, 17),
        Offer(
            "Занимательная биология",
            "Биология",
            "Микроскоп, живой уголок, экскурсии в ботанический сад",
            9,
            13,
        ),
        Offer(
            "Астрономия",
            "Астрономия",
            "Звёздное небо, телескоп, планетарий",
            11,
            17,
            price=Decimal("2500.00"),
        ),
    ),
    Direction.SOCIAL: (
        Offer(
            "Школа вожатых",
            "Вожатое дело",
            "Игры, работа с отрядом, подготовка к летним лагерям",
            14,
            17,
            places=(15, 20),
        ),
        Offer(
            "Английский язык",
            "Английский язык",
            "Разговорный английский в игре",
            7,
            12,
            places=(8, 12),
            price=Decimal("3800.00"),
        ),
        Offer(
            "Английский разговорный клуб",
            "Английский язык",
            "Беседы и дебаты на английском, подготовка к экзаменам",
            13,
            17,
            places=(8, 12),
            price=Decimal("4200.00"),
        ),
        Offer(
            "Юный журналист",
            "Журналистика",
            "Интервью, репортаж, школьная газета и видеоблог",
            11,
            17,
        ),
        Offer(
            "Финансовая грамотность",
            "Финансовая грамотность",
            "Карманные деньги, бюджет семьи, первые покупки",
            10,
            14,
        ),
    ),
    Direction.TOURISM: (
        Offer(
            "Спортивный туризм",
            "Туризм",
            "Походы выходного дня, узлы, снаряжение, первая помощь",
            10,
            17,
        ),
        Offer("Краеведение", "Краеведение", "История районов Москвы, экскурсии и музеи", 9, 14),
        Offer(
            "Спортивное ориентирование",
            "Ориентирование",
            "Карта, компас, городские старты",
            8,
            16,
            places=(12, 16),
        ),
        Offer("Юный турист", "Туризм", "Первые походы, бивак и правила безопасности", 7, 11),
    ),
    Direction.SPORTS: (
        Offer("Шахматы", "Шахматы", "Дебюты, задачи, турниры на разряд", 6, 16, places=(12, 16)),
        Offer(
            "Настольный теннис",
            "Настольный теннис",
            "Техника, игра в парах, первенство района",
            8,
            16,
            places=(10, 14),
        ),
        Offer(
            "Общая физическая подготовка",
            "ОФП",
            "Бег, гибкость, игры с мячом",
            6,
            12,
            places=(15, 20),
        ),
        Offer("Мини-футбол", "Футбол", "Футбол в зале, турниры района", 6, 14, places=(14, 20)),
    ),
}
# What a kindergarten runs, whatever its register direction: (direction, offer).
PRESCHOOL_OFFERS = (
    (Direction.ARTS, Offer("Ритмика", "Танцы", "Движение под музыку, игры и праздники", 4, 7)),
    (
        Direction.ARTS,
        Offer(
            "Рисование для малышей",
            "Изобразительное искусство",
            "Краски, пластилин, аппликация",
            4,
            7,
        ),
    ),
    (
        Direction.SOCIAL,
        Offer(
            "Подготовка к школе",
            "Подготовка к школе",
            "Буквы, счёт, развитие речи",
            5,
            7,
            places=(8, 12),
            price=Decimal("3000.00"),
        ),
    ),
    (
        Direction.SOCIAL,
        Offer(
            "Английский для малышей",
            "Английский язык",
            "Песни, игры и первые слова",
            4,
            6,
            places=(6, 10),
            price=Decimal("3500.00"),
        ),
    ),
    (Direction.SOCIAL, Offer("Логоритмика", "Логоритмика", "Речь и движение под музыку", 3, 6)),
)
# The demo's one programme with a season of enrollment (at the staff login's organisation).
SEASONAL_OFFER = Offer(
    "Мультстудия", "Анимация", "Рисованный и пластилиновый мультфильм от идеи до показа", 8, 13
)
SEASONAL_DIRECTION = Direction.ARTS
# The August morning enrollment opens (DOMAIN.md: main enrollment opens mid-August).
SEASON_OPENS = (8, 15, time(9, 0))

# A refusal after an audition, in the organisation's words.
REJECTION_REASON = (
    "По итогам прослушивания в этом году набираем детей, уже занимавшихся не меньше года; "
    "приглашаем в подготовительную группу."
)

TEACHER_SURNAMES = (
    ("Мячиков", "Мячикова"),
    ("Скакалкин", "Скакалкина"),
    ("Кисточкин", "Кисточкина"),
    ("Ракеткин", "Ракеткина"),
    ("Свистков", "Свисткова"),
    ("Мольбертов", "Мольбертова"),
    ("Шайбин", "Шайбина"),
    ("Компасов", "Компасова"),
    ("Пюпитров", "Пюпитрова"),
    ("Гантелин", "Гантелина"),
    ("Паяльников", "Паяльникова"),
    ("Камертонов", "Камертонова"),
    ("Рюкзаков", "Рюкзакова"),
    ("Секундомеров", "Секундомерова"),
)

# Sports groups by their place among the programme's bands: beginners, then training.
SPORTS_LEVELS = ("Группа начальной подготовки", "Тренировочная группа")
BAND_YEARS = 3

# Weekdays (0 = Monday) a group meets on, and the times of day.
WEEKDAY_PAIRS = ((0, 2), (1, 3), (2, 4), (0, 3), (1, 4))
WEEKDAY_TRIPLES = ((0, 2, 4), (1, 3, 5))
# After school, in minutes from midnight: the youngest first, the last group done by 20:00.
AFTER_SCHOOL_FROM = {7: 15 * 60, 11: 15 * 60 + 30}
TEENS_FROM = 16 * 60
DAY_ENDS = 20 * 60
WEEKEND_STARTS = (9 * 60, 9 * 60 + 30, 10 * 60, 11 * 60, 12 * 60)
SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class InventedVenue:
    address: str
    district: str
    okrug: str
    lat: Decimal
    lon: Decimal


@dataclass(frozen=True)
class InventedOrganisation:
    name: str
    kind: str
    direction: str
    venue: InventedVenue


def _venue(address: str, district: str, okrug: str, lat: str, lon: str) -> InventedVenue:
    return InventedVenue(address, district, okrug, Decimal(lat), Decimal(lon))


# Without the city's registers: invented organisations in real districts (the districts'
# approximate centres), named as invented.
INVENTED_ORGANISATIONS = (
    InventedOrganisation(
        "Демонстрационный дом детского творчества № 1",
        "Дом детского творчества",
        Direction.ARTS,
        _venue("Москва, ул. Демонстрационная, д. 11", "Хамовники", "ЦАО", "55.7338", "37.5874"),
    ),
    InventedOrganisation(
        "Демонстрационная спортивная школа № 1",
        "Спортивная школа",
        Direction.SPORTS,
        _venue("Москва, ул. Демонстрационная, д. 15", "Хамовники", "ЦАО", "55.7290", "37.5790"),
    ),
    InventedOrganisation(
        "Демонстрационный центр технического творчества",
        "Центр",
        Direction.TECHNICAL,
        _venue("Москва, Примерный пр-д, д. 5", "Южное Бутово", "ЮЗАО", "55.5425", "37.5330"),
    ),
    InventedOrganisation(
        "Демонстрационный центр «Юный натуралист»",
        "Центр",
        Direction.SCIENCE,
        _venue("Москва, Образцовая ул., д. 2", "Марьино", "ЮВАО", "55.6500", "37.7440"),
    ),
    InventedOrganisation(
        "Демонстрационный клуб «Лидер»",
        "Клуб",
        Direction.SOCIAL,
        _venue("Москва, Образцовая ул., д. 9", "Марьино", "ЮВАО", "55.6520", "37.7400"),
    ),
)


def age_bands(age_min: int, age_max: int) -> list[tuple[int, int]]:
    """The programme's ages in bands of BAND_YEARS; a last band of one year joins the one
    before (6–12 is 6–8 and 9–12)."""
    bands = [
        (low, min(low + BAND_YEARS - 1, age_max)) for low in range(age_min, age_max + 1, BAND_YEARS)
    ]
    if len(bands) > 1 and bands[-1][0] == bands[-1][1]:
        bands[-2:] = [(bands[-2][0], bands[-1][1])]
    return bands


def group_name(band: tuple[int, int], *, number: int, sports: bool) -> str:
    """«Группа 7–9 лет»; a sports section's «Группа начальной подготовки 7–9 лет» for its
    youngest band and «Тренировочная группа …» for the older ones."""
    low, high = band
    ages = f"{low}–{high} лет" if low != high else f"{low} лет"
    if sports:
        return f"{SPORTS_LEVELS[min(number, len(SPORTS_LEVELS) - 1)]} {ages}"
    return f"Группа {ages}"


def _minutes(youngest: int, rng: random.Random) -> int:
    """How long one meeting lasts: 45 minutes for preschoolers, up to two hours for teens."""
    if youngest <= 6:
        return 45
    if youngest <= 9:
        return 60
    if youngest <= 13:
        return rng.choice((60, 90))
    return rng.choice((90, 120))


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def meetings(rng: random.Random, *, youngest: int, sports: bool) -> list[tuple[int, time, time]]:
    """A group's weekly meetings as (weekday, start, end): twice a week after school, three
    times for older sportsmen, or a weekday and Saturday, or a weekend morning."""
    length = _minutes(youngest, rng)
    roll = rng.random()
    if sports and youngest >= 10 and roll < 0.5:
        days = rng.choice(WEEKDAY_TRIPLES)
    elif roll < 0.75:
        days = rng.choice(WEEKDAY_PAIRS)
    elif roll < 0.9:
        days = (rng.randrange(SATURDAY), SATURDAY)
    else:
        days = (rng.choice((SATURDAY, SUNDAY)),)
    earliest = next(
        (start for age, start in AFTER_SCHOOL_FROM.items() if youngest <= age), TEENS_FROM
    )
    after_school = rng.randrange(earliest, DAY_ENDS - length + 1, 30)
    weekend = rng.choice(WEEKEND_STARTS)
    return [
        (
            day,
            _clock(start := weekend if day >= SATURDAY else after_school),
            _clock(start + length),
        )
        for day in days
    ]


@dataclass
class Planned:
    """A group not written yet: its programme, the ages its name gives, its week."""

    group: Group
    band: tuple[int, int]
    week: list[tuple[int, time, time]]

    @property
    def programme(self) -> Programme:
        return self.group.programme


def teacher_name(rng: random.Random) -> str:
    sex = rng.choice("mfff")  # most teachers of children's clubs are women
    pair = rng.choice(TEACHER_SURNAMES)
    surname = pair[0 if sex == "m" else 1]
    return f"{surname} {rng.choice(FIRST_NAMES[sex])} {rng.choice(MIDDLE_NAMES[sex])}"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_at_age(rng: random.Random, band: tuple[int, int], starts_on: date) -> date:
    """A birthday that makes a child of an age in `band` on the programme's start."""
    latest = _years_before(starts_on, band[0])
    earliest = _years_before(starts_on, band[1] + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def invented_child(rng: random.Random, band: tuple[int, int], programme: Programme) -> Person:
    """A child the programme takes (its ages, its sex), invented and named so."""
    sexes = {Programme.Sex.BOYS: "m", Programme.Sex.GIRLS: "f"}
    sex = sexes.get(programme.sex) or rng.choice("mf")
    return Person(
        last_name=LAST_NAMES[sex],
        first_name=rng.choice(FIRST_NAMES[sex]),
        middle_name=rng.choice(MIDDLE_NAMES[sex]),
        birth_date=born_at_age(rng, band, programme.starts_on),
        sex=Sex.MALE if sex == "m" else Sex.FEMALE,
    )


def invented_parent(rng: random.Random) -> Person:
    sex = rng.choice("mf")
    return Person(
        last_name=LAST_NAMES[sex],
        first_name=rng.choice(FIRST_NAMES[sex]),
        middle_name=rng.choice(MIDDLE_NAMES[sex]),
        birth_date=date(rng.randint(1978, 1996), rng.randint(1, 12), rng.randint(1, 28)),
        sex=Sex.MALE if sex == "m" else Sex.FEMALE,
    )
