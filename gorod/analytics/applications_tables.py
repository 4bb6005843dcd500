"""The dashboard's section «Заявления по услугам»: its tables, charts and headline figures.

The figures come through applications_port (applications stand above analytics); the same
tables are shown on the page (the leading services) and exported as CSV (every service).
"""

from django.utils.translation import gettext as _

from gorod.analytics import rules
from gorod.analytics import tables as t
from gorod.analytics.models import Channel
from gorod.analytics.tables import Column
from gorod.core import charts

UNKNOWN_CHANNEL = "unknown"


def applications_table(figures: rules.ApplicationsFigures, *, limit: int | None = None) -> t.Table:
    """Per service (most applications sent first) and, in the last row, all of them."""
    rows = [
        [
            row.title,
            row.flows.started,
            row.flows.submitted,
            row.flows.completed,
            row.rejected,
            row.flows.withdrawn,
            row.submitted_of_started,
            row.completed_of_submitted,
            row.median_working_days,
            row.p90_working_days,
            row.median_calendar_days,
            row.p90_calendar_days,
            row.within_term_share,
        ]
        for row in [*figures.services[:limit], figures.total]
    ]
    return t.Table(
        "applications",
        _("Заявления по услугам"),
        [
            Column(_("Услуга")),
            Column(_("Начато"), t.COUNT),
            Column(_("Отправлено"), t.COUNT),
            Column(_("Оказано"), t.COUNT),
            Column(_("Отказано"), t.COUNT),
            Column(_("Отозвано"), t.COUNT),
            Column(_("Отправлено из начатых"), t.PERCENT),
            Column(_("Оказано из отправленных"), t.PERCENT),
            Column(_("Срок, рабочих дней: медиана"), t.COUNT),
            Column(_("Срок, рабочих дней: 90-й процентиль"), t.COUNT),
            Column(_("Срок, календарных дней: медиана"), t.COUNT),
            Column(_("Срок, календарных дней: 90-й процентиль"), t.COUNT),
            Column(_("Решено в срок"), t.PERCENT),
        ],
        rows if figures.services else [],
    )


def applications_channels_table(
    figures: rules.ApplicationsFigures, *, limit: int | None = None
) -> t.Table:
    """Applications sent through each of the portal's channels, per service."""
    channels = list(Channel)
    unknown = figures.total.channels.get(UNKNOWN_CHANNEL, 0) > 0
    columns = [Column(_("Услуга")), Column(_("Отправлено"), t.COUNT)]
    columns += [Column(channel.label, t.COUNT) for channel in channels]
    if unknown:
        columns.append(Column(_("Канал не записан"), t.COUNT))
    rows = []
    for row in [*figures.services[:limit], figures.total]:
        cells = [row.title, row.flows.submitted]
        cells += [row.channels.get(channel.value, 0) for channel in channels]
        if unknown:
            cells.append(row.channels.get(UNKNOWN_CHANNEL, 0))
        rows.append(cells)
    return t.Table(
        "applications-channels",
        _("Каналы подачи заявлений"),
        columns,
        rows if figures.services else [],
    )


def _days(value: int | None) -> str:
    if value is None:
        return "—"
    return _("%(days)s раб. дн.") % {"days": t.html_value(value, t.COUNT)}


def applications_headline(figures: rules.ApplicationsFigures) -> list[tuple[str, str, str]]:
    """(label, value, note) of the section's figures for all services together."""
    total = figures.total

    def count(value) -> str:
        return t.html_value(value, t.COUNT)

    def share(value) -> str:
        return t.html_value(value, t.PERCENT)

    return [
        (
            _("Начато"),
            count(total.flows.started),
            _("отправлено из начатых: %(share)s") % {"share": share(total.submitted_of_started)},
        ),
        (
            _("Отправлено"),
            count(total.flows.submitted),
            _("оказано из отправленных: %(share)s")
            % {"share": share(total.completed_of_submitted)},
        ),
        (_("Оказано"), count(total.flows.completed), ""),
        (
            _("Отказано"),
            count(total.rejected),
            _("в приёме документов: %(count)s") % {"count": count(total.flows.refused_to_accept)},
        ),
        (
            _("Срок решения: медиана"),
            _days(total.median_working_days),
            _("90-й процентиль: %(days)s") % {"days": _days(total.p90_working_days)},
        ),
        (
            _("Решено в срок"),
            share(total.within_term_share),
            _("из %(count)s решений со сроком") % {"count": count(total.with_term)},
        ),
        (
            _("Цифровая подача"),
            share(total.digital_take_up) if total.digital_take_up is not None else _("неизвестно"),
            _("заявления на бумаге порталу не видны"),
        ),
    ]


def _desc(rows: list[tuple[str, str]]) -> str:
    shown = "; ".join(f"{label} — {value}" for label, value in rows[:3])
    if len(rows) > 3:
        shown += "; …"
    return shown or _("Нет данных за период.")


def applications_context(figures: rules.ApplicationsFigures, *, limit: int, width: int) -> dict:
    """What the dashboard's template needs for the section."""
    top = figures.services[:limit]
    submitted = [
        (row.title, row.flows.submitted, t.html_value(row.flows.submitted, t.COUNT)) for row in top
    ]
    timed = [
        (row.title, row.within_term_share, t.html_value(row.within_term_share, t.PERCENT))
        for row in top
        if row.with_term
    ]
    return {
        "applications": figures,
        "applications_headline": applications_headline(figures),
        "applications_chart": charts.bar_chart(submitted, width=width),
        "applications_desc": _desc([(label, text) for label, _value, text in submitted]),
        "applications_term_chart": charts.bar_chart(timed, width=width),
        "applications_term_desc": _desc([(label, text) for label, _value, text in timed]),
        "applications_table": applications_table(figures, limit=limit),
        "applications_channels_table": applications_channels_table(figures, limit=limit),
        "applications_shown": len(top),
        "applications_services": len(figures.services),
    }
