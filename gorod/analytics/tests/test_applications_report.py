"""`gorod report applications`: the same figures as the API, and a table people can read."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from gorod.analytics import reports, rules
from gorod.analytics.applications_port import applications_figures_for
from gorod.applications.tests.performance_data import (
    definitions_setup,
    march_history,
)

pytestmark = pytest.mark.django_db

MARCH = ("--from", "2025-03-03", "--to", "2025-03-16")


@pytest.fixture
def history(catalog, tmp_path):
    definitions_setup(tmp_path)
    return march_history()


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "applications", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_apis(history):
    data = json.loads(report(*MARCH, "--json"))
    period = rules.Period(date(2025, 3, 3), date(2025, 3, 16))
    assert data == reports.applications_report_json(applications_figures_for(period))
    assert data["total"]["decided"] == 4
    assert len(json.loads(report(*MARCH, "--json", "--top", "1"))["services"]) == 1


def test_the_text_says_the_period_in_sentences_and_a_table(history):
    text = report(*MARCH)
    summary, _blank, header, *rows = text.splitlines()
    assert summary.startswith(
        "За период с 3 марта 2025 г. по 16 марта 2025 г. жители начали 7 заявлений и "
        "отправили 6 заявлений по 2 услугам; услуга оказана 1 раз, отказано — 2, "
        "отозвано заявителями — 1."
    )
    assert "Половина решений принята за 1 раб. дн. от отправки, 90 % — за 8 раб. дн.; " in (summary)
    assert "в срок по регламенту — 67 %." in summary
    assert "Доля цифровой подачи неизвестна" in summary
    assert header.split()[:3] == ["Услуга", "Начато", "Отправлено"]
    visit, attachment, total = rows
    assert visit.split() == [
        "Вызов", "врача", "на", "дом",
        "6", "5", "1", "2", "1", "67", "%", "20", "%", "3", "8", "3", "10", "50", "%",
    ]  # fmt: skip
    assert attachment.startswith("Прикрепление к поликлинике")
    assert total.startswith("Все услуги")
    # Every line's columns line up: the numbers end where the header's words do.
    assert len({len(line) for line in (header, visit, total)}) == 1


def test_a_period_without_applications(catalog):
    text = report("--from", "2024-01-01", "--to", "2024-01-31")
    assert text.startswith("За период с 1 января 2024 г. по 31 января 2024 г. заявлений в")
    assert text.splitlines()[-1].startswith("Все услуги")


def test_bad_arguments_are_refused(catalog):
    with pytest.raises(CommandError, match="--top"):
        report(*MARCH, "--top", "0")
    with pytest.raises(CommandError, match="Начало периода позже"):
        report("--from", "2025-03-16", "--to", "2025-03-03")
