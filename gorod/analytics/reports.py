"""The report's two faces: JSON for machines and a Russian summary for the press office.

Pure functions of the figures the selectors computed; docs/analytics.md defines each one.
"""

from gorod.analytics import rules

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def _period_json(period: rules.Period) -> dict:
    return {"from": period.first.isoformat(), "to": period.last.isoformat(), "days": period.days}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def usage_totals_json(figures: rules.UsageFigures) -> dict:
    return {
        "period": _period_json(figures.period),
        "uses": figures.uses,
        "daily_average": _round(figures.daily_average, 2),
        "unique_users": figures.users,
    }


def usage_report_json(report) -> dict:
    """`report` is a selectors.UsageReport."""
    current = report.current
    data = usage_totals_json(current)
    data["top_services"] = [
        {
            "slug": row.slug,
            "title": row.title,
            "category": row.category,
            "uses": row.uses,
            "share": _round(row.share),
        }
        for row in current.top_services
    ]
    data["categories"] = [
        {"slug": row.slug, "title": row.title, "uses": row.uses, "share": _round(row.share)}
        for row in current.categories
    ]
    if report.comparison is not None:
        data["comparison"] = usage_totals_json(report.comparison)
        data["daily_average_change"] = _round(report.daily_average_change)
    return data


def rating_totals_json(figures) -> dict:
    return {
        "period": _period_json(figures.period),
        "count": figures.count,
        "average": _round(figures.average, 2),
        "excellent_share": _round(figures.excellent_share),
        "distribution": {str(stars): count for stars, count in figures.distribution.items()},
    }


def ratings_report_json(current, comparison=None) -> dict:
    """`current` and `comparison` are feedback.rules.RatingFigures."""
    data = rating_totals_json(current)
    data["services"] = [
        {
            "slug": row.slug,
            "title": row.title,
            "count": row.count,
            "average": _round(row.average, 2),
            "excellent_share": _round(row.excellent_share),
        }
        for row in current.by_service
    ]
    if comparison is not None:
        data["comparison"] = rating_totals_json(comparison)
        data["count_change"] = _round(rules.relative_change(current.count, comparison.count))
    return data


def russian_number(value: float) -> str:
    """1 234 567 → "1,2 млн"; 12 345 → "12,3 тыс."; small numbers as they are."""
    for size, word in ((1e9, "млрд"), (1e6, "млн"), (1e3, "тыс.")):
        if abs(value) >= size:
            scaled = f"{value / size:.1f}".rstrip("0").rstrip(".")
            return f"{scaled.replace('.', ',')} {word}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def russian_count(value: int, one: str, few: str, many: str) -> str:
    """A count with its noun: "1 оценка", "3 оценки", "5 оценок", "1,2 млн оценок" (after
    млн and тыс. the noun is always in the genitive plural)."""
    number = russian_number(value)
    if not number.isdigit():
        return f"{number} {many}"
    if value % 10 == 1 and value % 100 != 11:
        noun = one
    elif 2 <= value % 10 <= 4 and not 12 <= value % 100 <= 14:
        noun = few
    else:
        noun = many
    return f"{number} {noun}"


def russian_decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def russian_percent(share: float) -> str:
    """Whole percents; under one percent a tenth ("0,4 %"), so that a small share or change
    does not read as none."""
    percent = abs(share) * 100
    if percent >= 1 or percent == 0:
        return f"{share * 100:.0f} %"
    if percent < 0.05:
        return "менее 0,1 %"
    return f"{share * 100:.1f} %".replace(".", ",")


def _unchanged(change: float) -> bool:
    # What would read "0 %" even with a tenth of a percent is no change at all.
    return abs(change) * 100 < 0.05


def russian_change(change: float, *, up: str, down: str) -> str | None:
    """ "вырос на 12 %", "снизился на 0,4 %"; None when the change rounds to nothing."""
    if _unchanged(change):
        return None
    return f"{up if change > 0 else down} на {russian_percent(abs(change))}"


def _sentence(text: str) -> str:
    # A sentence may end in an abbreviation with its own dot ("12,3 тыс.", "2025 г.").
    return text if text.endswith(".") else text + "."


def russian_date(day) -> str:
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def russian_period(period: rules.Period) -> str:
    return f"с {russian_date(period.first)} по {russian_date(period.last)}"


def usage_summary_ru(report, ratings=None, ratings_comparison=None) -> str:
    """A few sentences in the style of the city's press releases."""
    current = report.current
    sentences = [
        _sentence(
            f"За период {russian_period(current.period)} к сервисам портала обратились "
            f"{russian_count(current.uses, 'раз', 'раза', 'раз')}, "
            f"в среднем {russian_number(current.daily_average)} в день; "
            f"уникальных пользователей — {russian_number(current.users)}"
        )
    ]
    change = report.daily_average_change
    if change is not None:
        moved = russian_change(change, up="вырос", down="снизился") or "не изменился"
        sentences.append(
            f"По сравнению с периодом {russian_period(report.comparison.period)} спрос {moved}."
        )
    if current.top_services:
        top = ", ".join(
            f"«{row.title}» ({russian_number(row.uses)}, {russian_percent(row.share)})"
            for row in current.top_services[:3]
        )
        sentences.append(f"Чаще всего пользовались услугами {top}.")
    ratings_sentence = _ratings_sentence(ratings, ratings_comparison)
    if ratings_sentence:
        sentences.append(ratings_sentence)
    return " ".join(sentences)


def _ratings_sentence(ratings, comparison) -> str | None:
    if ratings is None or not ratings.count:
        return None
    sentence = (
        f"Жители поставили {russian_count(ratings.count, 'оценку', 'оценки', 'оценок')}, "
        f"средняя — {russian_decimal(ratings.average)}, "
        f"«отлично» — {russian_percent(ratings.excellent_share)}"
    )
    if comparison is not None and comparison.count:
        change = rules.relative_change(ratings.count, comparison.count)
        if _unchanged(change):
            sentence += f"; столько же, сколько за период {russian_period(comparison.period)}"
        else:
            more = "больше" if change > 0 else "меньше"
            sentence += (
                f"; это на {russian_percent(abs(change))} {more}, чем за период "
                f"{russian_period(comparison.period)}"
            )
    return _sentence(sentence)


def ratings_summary_ru(ratings, comparison=None, *, min_count: int = 10) -> str:
    """The ratings sentence, and the best and worst rated services among those with
    at least `min_count` ratings (fewer say more about chance than about the service)."""
    sentences = [_sentence(f"Период {russian_period(ratings.period)}")]
    sentences.append(_ratings_sentence(ratings, comparison) or "Оценок за период нет.")
    rated = [row for row in ratings.by_service if row.count >= min_count]
    if len(rated) >= 2:
        best = max(rated, key=lambda row: (row.average, row.count))
        worst = min(rated, key=lambda row: (row.average, -row.count))
        sentences.append(
            f"Выше всех оценена услуга «{best.title}» ({russian_decimal(best.average)}), "
            f"ниже всех — «{worst.title}» ({russian_decimal(worst.average)})."
        )
    return " ".join(sentences)


# ---- Applications to departments -------------------------------------------------------


def _performance_json(row: rules.ServicePerformance) -> dict:
    flows = row.flows
    return {
        "started": flows.started,
        "submitted": flows.submitted,
        "completed": flows.completed,
        "rejected": row.rejected,
        "refused_to_accept": flows.refused_to_accept,
        "refused": flows.refused,
        "withdrawn": flows.withdrawn,
        "decided": row.decided,
        "submitted_of_started": _round(row.submitted_of_started),
        "completed_of_submitted": _round(row.completed_of_submitted),
        "median_working_days": row.median_working_days,
        "p90_working_days": row.p90_working_days,
        "median_calendar_days": row.median_calendar_days,
        "p90_calendar_days": row.p90_calendar_days,
        "within_term": row.within_term,
        "with_term": row.with_term,
        "within_term_share": _round(row.within_term_share),
        "digital_take_up": _round(row.digital_take_up),
        "channels": dict(sorted(row.channels.items())),
    }


def applications_report_json(figures: rules.ApplicationsFigures, *, top: int | None = None) -> dict:
    """`figures` from applications_port; `top` services (most applications sent first)."""
    return {
        "period": _period_json(figures.period),
        "total": _performance_json(figures.total),
        "services": [
            {"slug": row.slug, "title": row.title, **_performance_json(row)}
            for row in figures.services[:top]
        ],
    }


def _days(value: int | None) -> str:
    return "—" if value is None else str(value)


def _share(value: float | None) -> str:
    return "—" if value is None else russian_percent(value)


APPLICATIONS_COLUMNS = (
    # (heading, width): the text table of `gorod report applications`.
    ("Услуга", 40),
    ("Начато", 7),
    ("Отправлено", 10),
    ("Оказано", 7),
    ("Отказано", 8),
    ("Отозвано", 8),
    ("Отпр./нач.", 10),
    ("Оказ./отпр.", 11),
    ("Медиана, р.д.", 13),
    ("90 %, р.д.", 10),
    ("Медиана, к.д.", 13),
    ("90 %, к.д.", 10),
    ("В срок", 7),
)


def _applications_cells(row: rules.ServicePerformance) -> list[str]:
    flows = row.flows
    return [
        row.title,
        str(flows.started),
        str(flows.submitted),
        str(flows.completed),
        str(row.rejected),
        str(flows.withdrawn),
        _share(row.submitted_of_started),
        _share(row.completed_of_submitted),
        _days(row.median_working_days),
        _days(row.p90_working_days),
        _days(row.median_calendar_days),
        _days(row.p90_calendar_days),
        _share(row.within_term_share),
    ]


def applications_table_text(figures: rules.ApplicationsFigures, *, top: int | None = None) -> str:
    """The services' figures as a plain-text table (the total in the last line)."""

    def line(cells: list[str]) -> str:
        (_title, width), *numbers = APPLICATIONS_COLUMNS
        cut = cells[0] if len(cells[0]) <= width else cells[0][: width - 1] + "…"
        return "  ".join(
            [cut.ljust(width)]
            + [cell.rjust(size) for cell, (_name, size) in zip(cells[1:], numbers, strict=True)]
        ).rstrip()

    lines = [line([name for name, _width in APPLICATIONS_COLUMNS])]
    lines += [line(_applications_cells(row)) for row in figures.services[:top]]
    lines.append(line(_applications_cells(figures.total)))
    return "\n".join(lines)


def applications_summary_ru(figures: rules.ApplicationsFigures) -> str:
    """A few sentences on the period's applications, in the style of the usage summary."""
    total = figures.total
    flows = total.flows
    period = russian_period(figures.period)
    if not (flows.started or flows.submitted or total.decided):
        return f"За период {period} заявлений в ведомства не было."
    services = sum(1 for row in figures.services if row.flows.submitted)
    sentences = [
        _sentence(
            f"За период {period} жители начали "
            f"{russian_count(flows.started, 'заявление', 'заявления', 'заявлений')} и отправили "
            f"{russian_count(flows.submitted, 'заявление', 'заявления', 'заявлений')} "
            f"по {russian_count(services, 'услуге', 'услугам', 'услугам')}; "
            f"услуга оказана {russian_count(flows.completed, 'раз', 'раза', 'раз')}, "
            f"отказано — {russian_number(total.rejected)}, "
            f"отозвано заявителями — {russian_number(flows.withdrawn)}"
        )
    ]
    if total.decided:
        sentence = (
            f"Половина решений принята за {total.median_working_days} раб. дн. "
            f"от отправки, 90 % — за {total.p90_working_days} раб. дн."
        )
        if total.with_term:
            sentence += f"; в срок по регламенту — {russian_percent(total.within_term_share)}"
        sentences.append(_sentence(sentence))
    sentences.append(
        "Доля цифровой подачи неизвестна: портал не видит заявлений, поданных на бумаге."
    )
    return " ".join(sentences)
