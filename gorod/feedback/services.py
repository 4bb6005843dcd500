"""Every write about ratings; each in one transaction with its audit row.

The public summary of a service is moved in the same transaction as the rating that
changes it, so the service page reads exact figures in one query. Reports read the daily
rollup, which `rating_rollup` recomputes whole days of, idempotently.
"""

import csv
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.analytics.models import ImportRun
from gorod.analytics.rules import ContentIds, day_bounds, local_day, person_key
from gorod.analytics.services import (
    analytics_zone,
    roll_days,
    rollup_mark_pending,
    rollup_pending_clear,
    rollup_pending_days,
)
from gorod.catalog import snapshot
from gorod.catalog.models import Department, Service
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, DomainError, Gone, NotFound
from gorod.core.ids import valid_id
from gorod.core.importing import RowProblem, file_facts
from gorod.feedback import rules
from gorod.feedback.models import (
    Rating,
    RatingDaily,
    RatingSummary,
    ServiceOwnership,
)
from gorod.feedback.selectors import (
    USE_TOKEN_SALT,
    owner_rating_get,
    rating_not_found,
)

OWNER_ROLE = "service_owner"
IMPORT_BATCH = 5000
# Bad rows are listed up to this many; the rest are counted.
IMPORT_PROBLEMS_KEPT = 50
IMPORT_PROBLEMS = {
    "wrong_field_count": gettext_lazy("не пять полей: occurred_at,service,user,stars,comment"),
    "bad_timestamp": gettext_lazy(
        "время не в формате ISO 8601 со смещением (2024-03-01T12:00:00+03:00)"
    ),
    "in_future": gettext_lazy("время в будущем"),
    "unknown_service": gettext_lazy("услуги с таким кодом нет в каталоге"),
    "stars_out_of_range": gettext_lazy("оценка — целое число от 1 до 5"),
    "comment_too_long": format_lazy(
        gettext_lazy("комментарий длиннее {} символов"), rules.COMMENT_MAX_LENGTH
    ),
}


def _feedback_days() -> int:
    return settings.GOROD_RATING_EDIT_DAYS


def _stars_clean(stars: object) -> int:
    if rules.stars_problem(stars):
        raise DomainError(
            "stars_out_of_range",
            _("Оценка — целое число звёзд от 1 до 5."),
            field="stars",
        )
    return stars


def _comment_clean(comment: str | None) -> str:
    cleaned = rules.clean_comment(comment)
    if rules.comment_problem(cleaned):
        raise DomainError(
            "comment_too_long",
            _(
                "Комментарий не длиннее %(max)d символов, а в вашем %(length)d: "
                "сократите его, пожалуйста."
            )
            % {"max": rules.COMMENT_MAX_LENGTH, "length": len(cleaned)},
            field="comment",
        )
    return cleaned


def _use_not_found() -> NotFound:
    return NotFound(
        "use_not_found",
        _(
            "Не нашли обращения к услуге, которое можно оценить. Оценку ставят после того, "
            "как воспользовались услугой."
        ),
    )


@dataclass(frozen=True)
class _Use:
    use_id: uuid.UUID
    service: Service


def _use_from_token(*, actor, token: str, service: str | None) -> _Use:
    """Check the receipt of a use: signed by us, for this user (and service, when the
    caller names one), and recent enough to be rated."""
    if not getattr(actor, "is_authenticated", False) or not token:
        raise _use_not_found()
    try:
        payload = signing.loads(
            token, salt=USE_TOKEN_SALT, max_age=timedelta(days=_feedback_days())
        )
    except signing.SignatureExpired as error:
        raise Gone(
            "use_expired",
            _("Оценить услугу можно в течение %(days)d дней после обращения; этот срок прошёл.")
            % {"days": _feedback_days()},
        ) from error
    except signing.BadSignature as error:
        raise _use_not_found() from error
    if (
        not isinstance(payload, dict)
        or payload.get("user") != actor.pk
        or (service is not None and payload.get("service") != service)
    ):
        raise _use_not_found()
    found = snapshot.current().services.get(payload.get("service"))
    if found is None:
        raise _use_not_found()
    try:
        use_id = uuid.UUID(str(payload.get("use")))
    except ValueError as error:
        raise _use_not_found() from error
    return _Use(use_id=use_id, service=found)


def _summary_move(service_id: int, delta: dict[str, int]) -> None:
    """Apply a change to a service's counters in place (F expressions: no lost updates)."""
    if not delta:
        return
    changes = {name: F(name) + change for name, change in delta.items()}
    if RatingSummary.objects.filter(pk=service_id).update(**changes):
        return
    # The service's first rating: create its row (a racing first rating may win; either
    # way the row then exists) and move it like any other.
    RatingSummary.objects.bulk_create([RatingSummary(service_id=service_id)], ignore_conflicts=True)
    RatingSummary.objects.filter(pk=service_id).update(**changes)


def rating_create(
    *, actor, token: str, stars: int, comment: str = "", service: str | None = None
) -> Rating:
    """Rate a use of a service. The use is proven by its signed receipt; the database's
    unique use_id decides "one rating per use", so a double click cannot rate twice."""
    use = _use_from_token(actor=actor, token=token, service=service)
    stars = _stars_clean(stars)
    comment = _comment_clean(comment)
    now = timezone.now()
    # No full_clean(): the rules above validated the input and the constraints hold the
    # rest; its unique check would be a check-then-insert the constraint decides anyway.
    rating = Rating(
        service=use.service,
        user=actor,
        use_id=use.use_id,
        source=Rating.Source.PORTAL,
        stars=stars,
        comment=comment,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
            _summary_move(rating.service_id, rules.summary_delta(None, stars))
            audit_record(
                actor=actor,
                action="rating.created",
                target=rating,
                service=use.service.slug,
                stars=stars,
            )
    except IntegrityError as error:
        if not Rating.objects.filter(use_id=use.use_id).exists():
            raise
        raise Conflict(
            "already_rated",
            _(
                "Это обращение к услуге вы уже оценили. Оценку можно изменить в течение "
                "%(days)d дней."
            )
            % {"days": _feedback_days()},
        ) from error
    return rating


def rating_edit(
    *, actor, rating_id: int, stars: int | None = None, comment: str | None = None
) -> Rating:
    """Change one's own rating within the feedback window; None leaves a field as it is."""
    new_stars = None if stars is None else _stars_clean(stars)
    new_comment = None if comment is None else _comment_clean(comment)
    if not valid_id(rating_id) or not getattr(actor, "is_authenticated", False):
        raise rating_not_found()
    with transaction.atomic():
        # Locked, so that two edits racing cannot both move the summary from the same stars.
        rating = (
            Rating.objects.select_for_update()
            .filter(pk=rating_id, user_id=actor.pk, source=Rating.Source.PORTAL)
            .first()
        )
        if rating is None:
            raise rating_not_found()
        now = timezone.now()
        if not rules.edit_open(rating.created_at, now, _feedback_days()):
            raise Conflict(
                "rating_edit_closed",
                _(
                    "Оценку можно изменить в течение %(days)d дней после того, как её "
                    "поставили; этот срок прошёл."
                )
                % {"days": _feedback_days()},
            )
        old_stars = rating.stars
        changed = []
        if new_stars is not None and new_stars != rating.stars:
            rating.stars = new_stars
            changed.append("stars")
        if new_comment is not None and new_comment != rating.comment:
            rating.comment = new_comment
            changed.append("comment")
        if not changed:
            return rating
        rating.updated_at = now
        rating.save(update_fields=[*changed, "updated_at"])
        _summary_move(rating.service_id, rules.summary_delta(old_stars, rating.stars))
        audit_record(actor=actor, action="rating.edited", target=rating, fields=changed)
    return rating


def rating_answer(*, actor, rating_id: int, text: str) -> Rating:
    """A service owner answers a comment (the latest answer replaces the previous one)."""
    answer = rules.clean_comment(text)
    problem = rules.answer_problem(answer)
    if problem == "answer_empty":
        raise DomainError("answer_empty", _("Напишите ответ."), field="answer")
    if problem == "answer_too_long":
        raise DomainError(
            "answer_too_long",
            _("Ответ не длиннее %(max)d символов, а в вашем %(length)d.")
            % {"max": rules.ANSWER_MAX_LENGTH, "length": len(answer)},
            field="answer",
        )
    rating = owner_rating_get(actor=actor, rating_id=rating_id)
    now = timezone.now()
    with transaction.atomic():
        Rating.objects.filter(pk=rating.pk).update(
            answer=answer, answered_by=actor, answered_at=now
        )
        audit_record(actor=actor, action="rating.answered", target=rating)
    rating.answer, rating.answered_by, rating.answered_at = answer, actor, now
    return rating


def rating_tag(*, actor, rating_id: int, topic: str, idea_status: str = "") -> Rating:
    """A service owner files a comment under a topic; an idea starts as "new" and moves to
    planned or done. An empty topic removes the tag."""
    if topic == "idea" and not idea_status:
        idea_status = Rating.IdeaStatus.NEW
    problem = rules.tag_problem(topic, idea_status)
    if problem == "topic_unknown":
        raise DomainError("topic_unknown", _("Выберите тему из списка."), field="topic")
    if problem == "idea_status_unknown":
        raise DomainError(
            "idea_status_unknown", _("Выберите состояние идеи из списка."), field="idea_status"
        )
    if problem == "idea_status_without_idea":
        raise DomainError(
            "idea_status_without_idea",
            _("Состояние бывает только у идей: выберите тему «идея» или уберите состояние."),
            field="idea_status",
        )
    rating = owner_rating_get(actor=actor, rating_id=rating_id)
    if (rating.topic, rating.idea_status) == (topic, idea_status):
        return rating
    with transaction.atomic():
        Rating.objects.filter(pk=rating.pk).update(topic=topic, idea_status=idea_status)
        audit_record(
            actor=actor,
            action="rating.tagged",
            target=rating,
            topic=topic,
            idea_status=idea_status,
        )
    rating.topic, rating.idea_status = topic, idea_status
    return rating


def service_ownership_grant(
    *, actor, user, service: Service | None = None, department: Department | None = None
) -> ServiceOwnership:
    """Make a staff member the owner of a service's or a department's ratings (idempotent)."""
    if (service is None) == (department is None):
        raise DomainError(
            "ownership_target_invalid",
            _("Укажите либо услугу, либо ведомство."),
            field="service",
        )
    with transaction.atomic():
        ownership, created = ServiceOwnership.objects.get_or_create(
            user=user, service=service, department=department
        )
        group, _created = Group.objects.get_or_create(name=OWNER_ROLE)
        user.groups.add(group)
        if created:
            audit_record(
                actor=actor,
                action="service_ownership.granted",
                target=ownership,
                user=user.pk,
                service=service.slug if service else None,
                department=department.code if department else None,
            )
    return ownership


# ---- Daily rollup --------------------------------------------------------------------


@dataclass
class RollupReport:
    days: list[date]
    ratings: int


def rating_days_to_roll(today: date) -> list[date]:
    """Days whose ratings may have changed: the feedback window (a rating can be given or
    edited in it) and the days imports marked. Recomputing the window every run also
    covers a write that raced the previous run."""
    days = {today - timedelta(days=n) for n in range(_feedback_days() + 1)}
    days.update(rollup_pending_days("ratings"))
    return sorted(day for day in days if day <= today)


def rating_rollup(
    *, days: Iterable[date] | None = None, progress: Callable[[date], None] | None = None
) -> RollupReport:
    """Recompute the daily rating rollup of the given days (default: rating_days_to_roll)."""
    zone = analytics_zone()
    if days is None:
        days = rating_days_to_roll(timezone.now().astimezone(zone).date())
    rolled, ratings = roll_days(days, lambda day: _rollup_day(day, zone), progress)
    return RollupReport(days=rolled, ratings=ratings)


def _rollup_day(day: date, zone) -> int:
    started = timezone.now()
    start, end = day_bounds(day, zone)
    with transaction.atomic():
        counts = (
            Rating.objects.filter(created_at__gte=start, created_at__lt=end)
            .values_list("service_id", "stars")
            .annotate(count=Count("id"))
            .order_by()
        )
        rows = [
            RatingDaily(day=day, service_id=service_id, stars=stars, count=count)
            for service_id, stars, count in counts
        ]
        RatingDaily.objects.filter(day=day).delete()
        RatingDaily.objects.bulk_create(rows, batch_size=500)
        rollup_pending_clear(day, subject="ratings", rolled_from=started)
    return sum(row.count for row in rows)


def rating_summaries_recompute(service_ids: Iterable[int]) -> None:
    """Set the summaries of these services from their ratings (after an import).

    The summary rows are locked (in primary-key order) before the ratings are counted, so
    a rating created meanwhile either is counted here or moves the row after this commit.
    """
    service_ids = sorted(set(service_ids))
    if not service_ids:
        return
    with transaction.atomic():
        RatingSummary.objects.bulk_create(
            [RatingSummary(service_id=service_id) for service_id in service_ids],
            ignore_conflicts=True,
        )
        summaries = list(
            RatingSummary.objects.select_for_update().filter(pk__in=service_ids).order_by("pk")
        )
        counts = (
            Rating.objects.filter(service_id__in=service_ids)
            .values_list("service_id", "stars")
            .annotate(count=Count("id"))
            .order_by()
        )
        by_service: dict[int, dict[int, int]] = {}
        for service_id, stars, count in counts:
            by_service.setdefault(service_id, {})[stars] = count
        for summary in summaries:
            stars_counts = by_service.get(summary.service_id, {})
            for stars in rules.STARS:
                setattr(summary, f"c{stars}", stars_counts.get(stars, 0))
            summary.count = sum(stars_counts.values())
        RatingSummary.objects.bulk_update(
            summaries, ["count", *(f"c{stars}" for stars in rules.STARS)], batch_size=500
        )


# ---- Historical import ---------------------------------------------------------------


@dataclass
class RatingsImportReport:
    run: ImportRun
    # Earlier runs of the same file that never finished; this one completes them.
    resumed: list[ImportRun] = field(default_factory=list)
    lines_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def ratings_import(
    *, actor, path: Path, progress: Callable[[int, int], None] | None = None
) -> RatingsImportReport:
    """Load historical ratings from a CSV file (RATINGS_IMPORT_HEADER), batch by batch.

    Good rows are imported and bad ones reported by line; each batch commits with its
    ImportRun counters, so an interrupted run shows how far it got and stays "running".
    Every row has a content key: running the file again completes an interrupted run and
    counts nothing twice. Summaries of the services in the file are recomputed at the end,
    and the days of its rows are marked for the rollup with each batch.
    `progress(lines_done, lines_total)` is called after each batch.
    """
    sha256, total_lines = file_facts(path)
    now = timezone.now()
    zone = analytics_zone()
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or [name.strip() for name in header] != list(
                rules.RATINGS_IMPORT_HEADER
            ):
                raise DomainError(
                    "ratings_header_invalid",
                    _("Первая строка файла должна быть ровно такой: %(header)s")
                    % {"header": ",".join(rules.RATINGS_IMPORT_HEADER)},
                )
            report = _import_run_start(path, sha256, now)
            service_ids = dict(Service.objects.values_list("slug", "pk"))
            seen_services: set[int] = set()
            import_keys = ContentIds()
            batch: list[Rating] = []
            line = reader.line_num
            for row in reader:
                first_line, line = line + 1, reader.line_num
                if not row:
                    continue
                report.lines_read += 1
                parsed = rules.parse_rating_row(row, service_ids, now=now)
                if isinstance(parsed, str):
                    report.rejected += 1
                    if len(report.problems) < IMPORT_PROBLEMS_KEPT:
                        report.problems.append(RowProblem(first_line, IMPORT_PROBLEMS[parsed]))
                    continue
                batch.append(_imported_rating(parsed, import_keys))
                seen_services.add(parsed.service_id)
                if len(batch) >= IMPORT_BATCH:
                    _import_batch(report, batch, zone)
                    batch = []
                    if progress is not None:
                        progress(line, total_lines)
            _import_batch(report, batch, zone)
    except csv.Error as error:
        raise DomainError(
            "ratings_csv_invalid",
            _(
                "Файл не читается как CSV в строке %(line)d (%(error)s). Загрузка остановлена: "
                "строки до неё загружены, повторная загрузка исправленного файла их не задвоит."
            )
            % {"line": reader.line_num, "error": error},
        ) from error
    rating_summaries_recompute(seen_services)
    with transaction.atomic():
        ImportRun.objects.filter(pk=report.run.pk).update(
            status=ImportRun.Status.COMPLETE, finished_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="ratings.imported",
            target=report.run,
            imported=report.imported,
            duplicates=report.duplicates,
            rejected=report.rejected,
        )
    report.run.refresh_from_db()
    if progress is not None:
        progress(total_lines, total_lines)
    return report


def _import_run_start(path: Path, sha256: str, now) -> RatingsImportReport:
    """The report of a new run of the file, with the runs of it that were interrupted."""
    report = RatingsImportReport(
        run=ImportRun.objects.create(
            kind="ratings",
            file_name=path.name[:500],
            file_sha256=sha256,
            status=ImportRun.Status.RUNNING,
            started_at=now,
        ),
    )
    report.resumed = list(
        ImportRun.objects.filter(
            kind="ratings", file_sha256=sha256, status=ImportRun.Status.RUNNING
        ).exclude(pk=report.run.pk)
    )
    return report


def _imported_rating(parsed: rules.ImportedRating, import_keys: ContentIds) -> Rating:
    # The historical system's user id is kept only inside the keyed hash of the row's
    # content: imported ratings stay pseudonymous, as usage events are.
    user_key = (
        person_key(settings.GOROD_ANALYTICS_KEY, "ratings-import", parsed.user).hex()
        if parsed.user
        else ""
    )
    return Rating(
        service_id=parsed.service_id,
        import_key=import_keys.next(parsed.occurred_at, *rules.rating_content(parsed, user_key)),
        source=Rating.Source.IMPORT,
        stars=parsed.stars,
        comment=parsed.comment,
        created_at=parsed.occurred_at,
        updated_at=parsed.occurred_at,
    )


def _import_batch(report: RatingsImportReport, batch: list[Rating], zone) -> None:
    with transaction.atomic():
        present = set(
            Rating.objects.filter(
                import_key__in=[rating.import_key for rating in batch]
            ).values_list("import_key", flat=True)
        )
        fresh = [rating for rating in batch if rating.import_key not in present]
        # Rows already present are marked too: they may come from a run that was
        # interrupted before its days were rolled up.
        rollup_mark_pending(
            {local_day(rating.created_at, zone) for rating in batch}, subject="ratings"
        )
        # ignore_conflicts: a second import of the same file running at the same moment.
        Rating.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
        report.imported += len(fresh)
        report.duplicates += len(present)
        ImportRun.objects.filter(pk=report.run.pk).update(
            lines_read=report.lines_read,
            imported=report.imported,
            duplicates=report.duplicates,
            rejected=report.rejected,
        )
