"""Pure rules of ratings: what a valid rating is, how long it stays editable, what the
public sees of a service's ratings, what report figures are, and what people ask for.

No ORM and no I/O. Validation returns stable codes; services turn them into messages in
the user's language, the import command into its line-by-line report.
"""

import itertools
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from gorod.analytics.rules import Period, content_id, parse_instant
from gorod.catalog.search import STOP_WORDS, lemmas, normalize

STARS = (1, 2, 3, 4, 5)
COMMENT_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 2000
# Ratings of three stars and below are the ones that say what is missing or broken.
LOW_STARS = 3
TOPICS = ("bug", "idea", "praise", "question", "other")
IDEA_STATUSES = ("new", "planned", "done")
SOURCES = ("portal", "import")
RATINGS_IMPORT_HEADER = ("occurred_at", "service", "user", "stars", "comment")
_STARS_TEXT = {str(stars): stars for stars in STARS}


def stars_problem(stars: object) -> str | None:
    """Why this is not a number of stars, or None. Booleans are not numbers here."""
    if isinstance(stars, bool) or not isinstance(stars, int) or stars not in STARS:
        return "stars_out_of_range"
    return None


def clean_comment(text: str | None) -> str:
    """The comment as stored: trimmed, with browser line breaks (CRLF) as one character.

    Browsers count a line break as one character against a textarea's maxlength but send
    it as two; without folding, a comment the form accepted would come back too long.
    """
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def comment_problem(comment: str) -> str | None:
    """Why a cleaned comment cannot be stored, or None."""
    if len(comment) > COMMENT_MAX_LENGTH:
        return "comment_too_long"
    return None


def answer_problem(answer: str) -> str | None:
    if not answer:
        return "answer_empty"
    if len(answer) > ANSWER_MAX_LENGTH:
        return "answer_too_long"
    return None


def tag_problem(topic: str, idea_status: str) -> str | None:
    """Why a topic and idea status do not go together; only ideas are planned or done."""
    if topic and topic not in TOPICS:
        return "topic_unknown"
    if topic == "idea":
        return None if idea_status in IDEA_STATUSES else "idea_status_unknown"
    return "idea_status_without_idea" if idea_status else None


def edit_open(created_at: datetime, now: datetime, days: int) -> bool:
    """A citizen may change their rating for `days` after giving it, not after."""
    return now - created_at < timedelta(days=days)


def use_rateable(used_at: datetime, now: datetime, days: int) -> bool:
    """A use can be rated for as long as a rating can be changed: one feedback window."""
    return now - used_at < timedelta(days=days)


def summary_delta(old_stars: int | None, new_stars: int | None) -> dict[str, int]:
    """How the counters of a service's summary move when a rating goes from `old_stars`
    (None: it did not exist) to `new_stars` (None: it no longer counts)."""
    delta: dict[str, int] = {}
    if old_stars == new_stars:
        return delta
    if old_stars is not None:
        delta[f"c{old_stars}"] = -1
    if new_stars is not None:
        delta[f"c{new_stars}"] = 1
    count = (new_stars is not None) - (old_stars is not None)
    if count:
        delta["count"] = count
    return delta


@dataclass(frozen=True)
class StarsShare:
    stars: int
    count: int
    percent: int


@dataclass(frozen=True)
class PublicSummary:
    """What anyone may see of a service's ratings."""

    count: int
    average: Decimal
    distribution: list[StarsShare]


def average_stars(counts: Mapping[int, int]) -> Decimal | None:
    """The mean stars to one decimal, rounded half up (4.25 shows as 4.3, not 4.2)."""
    count = sum(counts.values())
    if count == 0:
        return None
    total = sum(stars * n for stars, n in counts.items())
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percentages(counts: Mapping[int, int]) -> dict[int, int]:
    """Whole percentages per star that add up to exactly 100 (largest remainder), so the
    bars of the distribution never read 99 % or 101 % in total."""
    count = sum(counts.values())
    if count == 0:
        return dict.fromkeys(STARS, 0)
    exact = {stars: counts.get(stars, 0) * 100 / count for stars in STARS}
    result = {stars: int(value) for stars, value in exact.items()}
    left = 100 - sum(result.values())
    # Ties go to more stars first: the same counts always give the same bars.
    for stars in sorted(STARS, key=lambda s: (-(exact[s] - result[s]), -s))[:left]:
        result[stars] += 1
    return result


def public_summary(counts: Mapping[int, int], *, min_count: int) -> PublicSummary | None:
    """The public figures, or None while there are too few ratings to mean anything (a
    single angry or friendly rating would otherwise be "the" rating of a service)."""
    count = sum(counts.values())
    if count < max(min_count, 1):
        return None
    shares = percentages(counts)
    return PublicSummary(
        count=count,
        average=average_stars(counts),
        distribution=[
            StarsShare(stars, counts.get(stars, 0), shares[stars]) for stars in reversed(STARS)
        ],
    )


# ---- Report figures (read from the daily rollup by selectors.rating_figures_for) ----------


@dataclass(frozen=True)
class ServiceRatings:
    slug: str
    title: str
    count: int
    average: float | None
    excellent_share: float | None


@dataclass(frozen=True)
class RatingFigures:
    period: Period
    count: int
    stars_total: int
    distribution: dict[int, int]
    by_service: list[ServiceRatings] = field(default_factory=list)
    daily: list[tuple[date, int, float | None]] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        return self.stars_total / self.count if self.count else None

    @property
    def excellent_share(self) -> float | None:
        return self.distribution.get(5, 0) / self.count if self.count else None


def rating_figures(
    period: Period,
    *,
    counts: dict[tuple[str, int], int],
    daily: dict[tuple[date, int], int],
    services: dict[str, tuple[str, str]],
) -> RatingFigures:
    """Figures of one period from rollup sums: `counts` maps (service slug, stars) →
    ratings, `daily` maps (day, stars) → ratings. Services are listed by count."""
    distribution = dict.fromkeys(STARS, 0)
    per_service: dict[str, dict[int, int]] = {}
    for (slug, stars), count in counts.items():
        distribution[stars] += count
        per_service.setdefault(slug, dict.fromkeys(STARS, 0))[stars] += count
    by_service = []
    for slug, stars_counts in per_service.items():
        count = sum(stars_counts.values())
        if count == 0:
            continue
        total = sum(stars * n for stars, n in stars_counts.items())
        by_service.append(
            ServiceRatings(slug, services[slug][0], count, total / count, stars_counts[5] / count)
        )
    by_service.sort(key=lambda row: (-row.count, row.slug))
    per_day: list[tuple[date, int, float | None]] = []
    for day in period.each_day():
        day_counts = {stars: daily.get((day, stars), 0) for stars in STARS}
        count = sum(day_counts.values())
        total = sum(stars * n for stars, n in day_counts.items())
        per_day.append((day, count, total / count if count else None))
    return RatingFigures(
        period=period,
        count=sum(distribution.values()),
        stars_total=sum(stars * n for stars, n in distribution.items()),
        distribution=distribution,
        by_service=by_service,
        daily=per_day,
    )


# ---- What people ask for ----------------------------------------------------------------

# Words that fill complaints without saying what is wrong. Lemmas, on top of the search
# engine's stop-words (which are surface forms and are applied first).
_FILLER_LEMMAS = frozenset(
    """
    очень весь всё все быть который просто еще ещё вообще уж вот даже только раз один
    сам самый такой мочь свой ваш наш пожалуйста спасибо услуга портал сайт это всегда
    никогда почему-то опять снова also then
    """.split()  # noqa: SIM905 - a word list reads best as prose
)
# "не работает" is the complaint; "работает" alone is its opposite. The negation is kept
# glued to the word it negates.
_NEGATIONS = frozenset({"не", "ни"})
_MIN_WORD_LENGTH = 2


@dataclass(frozen=True)
class Phrase:
    text: str
    count: int


def comment_terms(comment: str) -> list[str]:
    """The meaningful lemmas of a comment in order, negations glued ("не работать")."""
    terms: list[str] = []
    negate = False
    for word in normalize(comment).split():
        if word in _NEGATIONS:
            negate = True
            continue
        if word in STOP_WORDS or len(word) < _MIN_WORD_LENGTH or any(c.isdigit() for c in word):
            continue
        lemma = lemmas(word)[0]
        if lemma in _FILLER_LEMMAS:
            continue
        terms.append(f"не {lemma}" if negate else lemma)
        negate = False
    return terms


def frequent_phrases(comments: Iterable[str], *, top: int) -> list[Phrase]:
    """The lemmas and two-word phrases found in the most comments, most frequent first.

    Each comment counts a phrase once, so one long rant cannot outvote many short notes;
    a phrase found in a single comment is not "frequent" and is left out; a word is left
    out when a phrase containing it occurs in just as many comments (it adds nothing).
    """
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for comment in comments:
        terms = comment_terms(comment)
        words.update(set(terms))
        pairs.update(set(itertools.pairwise(terms)))
    explained = {
        word for pair, count in pairs.items() if count >= 2 for word in pair if words[word] == count
    }
    candidates = [Phrase(" ".join(pair), count) for pair, count in pairs.items() if count >= 2]
    candidates += [
        Phrase(word, count) for word, count in words.items() if count >= 2 and word not in explained
    ]
    candidates.sort(key=lambda phrase: (-phrase.count, phrase.text))
    return candidates[:top]


# ---- Historical import ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedRating:
    occurred_at: datetime
    service_id: int
    service: str
    user: str
    stars: int
    comment: str


def parse_rating_row(
    row: list[str], service_ids: Mapping[str, int], *, now: datetime
) -> ImportedRating | str:
    """One data row of a ratings file, or the reason (code) it cannot be imported."""
    if len(row) != len(RATINGS_IMPORT_HEADER):
        return "wrong_field_count"
    occurred_text, slug, user, stars_text, comment = row
    try:
        occurred_at = parse_instant(occurred_text)
    except ValueError:
        return "bad_timestamp"
    if occurred_at > now:
        return "in_future"
    slug = slug.strip()
    service_id = service_ids.get(slug)
    if service_id is None:
        return "unknown_service"
    # Only the ASCII digits 1–5: int() would also accept "٣" or " +4_0".
    stars = _STARS_TEXT.get(stars_text.strip())
    if stars is None:
        return "stars_out_of_range"
    comment = clean_comment(comment)
    if problem := comment_problem(comment):
        return problem
    return ImportedRating(occurred_at, service_id, slug, user.strip(), stars, comment)


def rating_content(rating: ImportedRating, user_key: str) -> tuple[str, ...]:
    """What makes an imported rating the same rating (the user only by pseudonym); with
    its instant, analytics.rules.ContentIds turns it into the rating's import key."""
    return (rating.service, user_key, str(rating.stars), rating.comment)


def imported_rating_key(rating: ImportedRating, user_key: str, occurrence: int) -> uuid.UUID:
    """Identity of an imported rating: content_id over its content (rating_content)."""
    return content_id(rating.occurred_at, rating_content(rating, user_key), occurrence)
