import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.models import RollupPending
from gorod.analytics.rules import Period
from gorod.analytics.services import rollup_mark_pending
from gorod.catalog.models import Service
from gorod.core.errors import DomainError, NotFound
from gorod.core.models import AuditEvent
from gorod.core.problems import status_of
from gorod.feedback import selectors, services
from gorod.feedback.models import (
    Rating,
    RatingDaily,
    RatingSummary,
)
from gorod.feedback.tests.conftest import rate, use_token

MOSCOW = ZoneInfo("Europe/Moscow")


def summary_counts(service) -> tuple[int, dict[int, int]]:
    summary = RatingSummary.objects.get(pk=service.pk)
    return summary.count, summary.counts


def fresh_counts(service) -> tuple[int, dict[int, int]]:
    """What the summary must equal: the ratings counted from scratch."""
    counts = dict.fromkeys(range(1, 6), 0)
    rows = Rating.objects.filter(service=service).values_list("stars").annotate(n=Count("id"))
    for stars, n in rows:
        counts[stars] = n
    return sum(counts.values()), counts


def test_a_use_can_be_rated_once_and_the_summary_counts_it(citizen, service):
    token = use_token(citizen, service)
    rating = services.rating_create(actor=citizen, token=token, stars=4, comment="  Удобно  ")
    assert (rating.stars, rating.comment, rating.source) == (4, "Удобно", "portal")
    assert summary_counts(service) == (1, {1: 0, 2: 0, 3: 0, 4: 1, 5: 0})
    assert AuditEvent.objects.filter(action="rating.created", target_id=str(rating.pk)).exists()
    with pytest.raises(DomainError) as error:
        services.rating_create(actor=citizen, token=token, stars=5, comment="")
    assert (error.value.code, status_of(error.value)) == ("already_rated", 409)
    assert summary_counts(service) == (1, {1: 0, 2: 0, 3: 0, 4: 1, 5: 0})


def test_each_use_can_be_rated(citizen, service):
    rate(citizen, service, 5)
    rate(citizen, service, 3)
    assert summary_counts(service) == (2, {1: 0, 2: 0, 3: 1, 4: 0, 5: 1})


@pytest.mark.parametrize("token", ["", "forged", "e30:1tXX:abc"])
def test_a_rating_is_impossible_without_a_use(citizen, service, token):
    with pytest.raises(NotFound) as error:
        services.rating_create(actor=citizen, token=token, stars=5)
    assert error.value.code == "use_not_found"
    assert not Rating.objects.exists()


def test_a_receipt_signed_with_another_salt_is_refused(citizen, service):
    token = signing.dumps(
        {"use": str(uuid.uuid4()), "service": service.slug, "user": citizen.pk}, salt="other"
    )
    with pytest.raises(NotFound):
        services.rating_create(actor=citizen, token=token, stars=5)


def test_a_receipt_is_personal_and_names_its_service(citizen, service, other_service):
    token = use_token(citizen, service)
    with pytest.raises(NotFound) as error:
        services.rating_create(actor=UserFactory(), token=token, stars=5)
    assert error.value.code == "use_not_found"
    with pytest.raises(NotFound):
        services.rating_create(actor=citizen, token=token, stars=5, service=other_service.slug)
    services.rating_create(actor=citizen, token=token, stars=5, service=service.slug)


def test_a_use_older_than_thirty_days_cannot_be_rated(citizen, service, monkeypatch):
    real = signing.TimestampSigner.timestamp
    month_ago = signing.b62_encode(int(timezone.now().timestamp()) - 31 * 86400)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: month_ago)
    token = use_token(citizen, service)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", real)
    with pytest.raises(DomainError) as error:
        services.rating_create(actor=citizen, token=token, stars=5)
    assert (error.value.code, status_of(error.value)) == ("use_expired", 410)


@pytest.mark.parametrize("stars", [0, 6, -3, 10**20, True, "5", None])
def test_stars_outside_one_to_five_are_refused(citizen, service, stars):
    with pytest.raises(DomainError) as error:
        services.rating_create(actor=citizen, token=use_token(citizen, service), stars=stars)
    assert (error.value.code, error.value.field) == ("stars_out_of_range", "stars")
    assert not Rating.objects.exists()


def test_a_comment_over_1000_characters_gets_a_clear_error(citizen, service):
    token = use_token(citizen, service)
    with pytest.raises(DomainError) as error:
        services.rating_create(actor=citizen, token=token, stars=2, comment="ж" * 1001)
    assert (error.value.code, error.value.field) == ("comment_too_long", "comment")
    assert "1000" in str(error.value.message)
    assert "1001" in str(error.value.message)
    rating = services.rating_create(actor=citizen, token=token, stars=2, comment="ж" * 1000)
    assert len(rating.comment) == 1000


def test_the_database_refuses_what_the_rules_refuse(citizen, service):
    """The constraints hold even for a write that skips the service."""
    from django.db import IntegrityError

    now = timezone.now()
    base = {"service": service, "created_at": now, "updated_at": now}
    bad = [
        {"user": citizen, "use_id": uuid.uuid4(), "source": "portal", "stars": 6},
        {
            "user": citizen,
            "use_id": uuid.uuid4(),
            "source": "portal",
            "stars": 5,
            "comment": "x" * 1001,
        },
        {"use_id": uuid.uuid4(), "source": "portal", "stars": 5},
        {"import_key": uuid.uuid4(), "source": "import", "stars": 5, "idea_status": "done"},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Rating.objects.create(**base, **fields)


def test_own_rating_can_be_edited_for_thirty_days(citizen, service):
    rating = rate(citizen, service, 2, "медленно")
    edited = services.rating_edit(actor=citizen, rating_id=rating.pk, stars=4, comment="лучше")
    assert (edited.stars, edited.comment) == (4, "лучше")
    assert summary_counts(service) == (1, {1: 0, 2: 0, 3: 0, 4: 1, 5: 0})
    services.rating_edit(actor=citizen, rating_id=rating.pk, comment="ещё лучше")
    assert Rating.objects.get(pk=rating.pk).stars == 4
    Rating.objects.filter(pk=rating.pk).update(
        created_at=timezone.now() - timedelta(days=30, seconds=1)
    )
    with pytest.raises(DomainError) as error:
        services.rating_edit(actor=citizen, rating_id=rating.pk, stars=1)
    assert (error.value.code, status_of(error.value)) == ("rating_edit_closed", 409)
    assert summary_counts(service) == (1, {1: 0, 2: 0, 3: 0, 4: 1, 5: 0})


def test_someone_elses_rating_is_not_found(citizen, service):
    rating = rate(citizen, service, 2)
    for rating_id in (rating.pk, 10**30, 0, -1):
        with pytest.raises(NotFound):
            services.rating_edit(actor=UserFactory(), rating_id=rating_id, stars=5)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(min_value=1, max_value=5), st.integers(0, 10)),
        min_size=1,
        max_size=12,
    )
)
def test_summary_equals_a_fresh_count_after_any_creates_and_edits(citizen, service, steps):
    with transaction.atomic():
        created = []
        for is_edit, stars, pick in steps:
            if is_edit and created:
                services.rating_edit(
                    actor=citizen, rating_id=created[pick % len(created)].pk, stars=stars
                )
            else:
                created.append(rate(citizen, service, stars))
        assert summary_counts(service) == fresh_counts(service)
        transaction.set_rollback(True)


def test_owners_answer_and_tag_comments_of_their_services(owner, citizen, service, other_service):
    mine = rate(citizen, service, 2, "Хочу напоминание")
    theirs = rate(citizen, other_service, 1, "Сломалось")
    answered = services.rating_answer(actor=owner, rating_id=mine.pk, text=" Добавим к лету ")
    assert (answered.answer, answered.answered_by) == ("Добавим к лету", owner)
    tagged = services.rating_tag(actor=owner, rating_id=mine.pk, topic="idea")
    assert (tagged.topic, tagged.idea_status) == ("idea", "new")
    services.rating_tag(actor=owner, rating_id=mine.pk, topic="idea", idea_status="planned")
    assert Rating.objects.get(pk=mine.pk).idea_status == "planned"
    with pytest.raises(DomainError) as error:
        services.rating_tag(actor=owner, rating_id=mine.pk, topic="bug", idea_status="done")
    assert error.value.code == "idea_status_without_idea"
    with pytest.raises(DomainError) as error:
        services.rating_answer(actor=owner, rating_id=mine.pk, text="   ")
    assert error.value.code == "answer_empty"
    for action in (
        lambda: services.rating_answer(actor=owner, rating_id=theirs.pk, text="Ответ"),
        lambda: services.rating_tag(actor=owner, rating_id=theirs.pk, topic="bug"),
        lambda: services.rating_answer(actor=citizen, rating_id=mine.pk, text="Ответ"),
    ):
        with pytest.raises(NotFound):
            action()
    assert set(
        AuditEvent.objects.filter(
            target_type="feedback.rating", target_id=str(mine.pk)
        ).values_list("action", flat=True)
    ) == {"rating.created", "rating.answered", "rating.tagged"}


def test_a_department_owner_sees_every_service_of_the_department(
    department_owner, citizen, service, other_service
):
    sibling = Service.objects.get(slug="sick-leave")
    rate(citizen, service, 1, "Долго")
    rate(citizen, sibling, 2, "Непонятно")
    rate(citizen, other_service, 3, "Чужое")
    comments = selectors.owner_comments(actor=department_owner, filters=selectors.CommentFilter())
    assert {rating.service.slug for rating in comments} == {service.slug, sibling.slug}
    assert department_owner.groups.filter(name="service_owner").exists()
    only_low = selectors.owner_comments(
        actor=department_owner, filters=selectors.CommentFilter(stars=1)
    )
    assert [rating.comment for rating in only_low] == ["Долго"]


def test_what_people_ask_reads_low_rated_comments_of_a_period(owner, citizen, service):
    for comment in ("Нет записи онлайн", "Добавьте запись онлайн", "Запись онлайн не работает"):
        rate(citizen, service, 2, comment)
    rate(citizen, service, 5, "Запись онлайн отличная")
    today = timezone.localdate()
    phrases, comments = selectors.what_people_ask(
        actor=owner, service=service, period=Period(today, today)
    )
    assert comments == 3
    assert (phrases[0].text, phrases[0].count) == ("запись онлайн", 3)
    with pytest.raises(NotFound):
        selectors.what_people_ask(actor=UserFactory(), service=service, period=Period(today, today))


def _rollup_rows():
    return sorted(RatingDaily.objects.values_list("day", "service_id", "stars", "count"))


def test_rollup_is_idempotent_and_counts_moscow_days(citizen, service):
    ratings = [rate(citizen, service, stars) for stars in (5, 5, 3)]
    # 21:30 UTC is 00:30 the next day in Moscow.
    late = datetime(2025, 3, 1, 21, 30, tzinfo=ZoneInfo("UTC"))
    Rating.objects.filter(pk=ratings[2].pk).update(created_at=late, updated_at=late)
    days = [date(2025, 3, 1), date(2025, 3, 2), timezone.now().astimezone(MOSCOW).date()]
    services.rating_rollup(days=days)
    first = _rollup_rows()
    assert first == [
        (date(2025, 3, 2), service.pk, 3, 1),
        (days[2], service.pk, 5, 2),
    ]
    services.rating_rollup(days=days)
    assert _rollup_rows() == first
    figures = selectors.rating_figures_for(Period(date(2025, 3, 1), date(2025, 3, 2)))
    assert (figures.count, figures.distribution[3]) == (1, 1)
    assert figures.by_service[0].slug == service.slug


def test_default_rollup_covers_the_window_and_marked_days(citizen, service):
    rate(citizen, service, 4)
    old_day = date(2024, 1, 15)
    rollup_mark_pending([old_day], subject="ratings")
    report = services.rating_rollup()
    assert old_day in report.days
    assert len(report.days) == 32
    assert report.ratings == 1
    assert not RollupPending.objects.exists()


def test_figures_read_the_rollup_not_the_ratings(citizen, service):
    rate(citizen, service, 4)
    today = timezone.now().astimezone(MOSCOW).date()
    assert selectors.rating_figures_for(Period(today, today)).count == 0
    services.rating_rollup(days=[today])
    figures = selectors.rating_figures_for(Period(today, today))
    assert (figures.count, figures.average) == (1, 4.0)
