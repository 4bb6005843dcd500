"""Applications with a known history, for the tests of the services' figures (analytics).

Everything goes through the applications' own writes (services.citizen, moves.application_move)
with the moment given, so the status history is what the portal itself would have written.
"""

import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from gorod.accounts.tests.factories import PersonFactory
from gorod.applications import rules
from gorod.applications.models import Application
from gorod.applications.services import citizen, moves
from gorod.applications.services.imports import definitions_import

# Two form services of the catalog, each with a small definition of the tests' own.
HOME_VISIT = "doctor-home-visit"
ATTACHMENT = "clinic-attachment"
TERM_DAYS = 5
MOSCOW = ZoneInfo("Europe/Moscow")

DEFINITION = """
schema: 1
service: {slug}
version: 1
kind: form
applies_for: [self]
content:
  summary: {{ru: Проверка, en: A check}}
  who_may_apply: {{ru: Жители, en: Residents}}
  result: {{ru: Решение, en: A decision}}
  term_days: {term}
  refusal_to_accept: [{{use: refuse_incomplete}}]
  refusal_grounds: [{{use: refuse_not_entitled}}]
  legal_basis: [{{use: law_210}}]
  in_person: mfc
steps:
  - title: {{ru: Суть, en: What}}
    fields:
      - key: note
        type: text
        label: {{ru: Что нужно, en: What you need}}
workflow: {{use: standard}}
outcome: {{kind: decision, title: {{ru: Решение, en: Decision}}}}
"""


def definitions_setup(folder: Path) -> None:
    """Import the two tests' definitions from `folder` (a temporary one)."""
    for slug in (HOME_VISIT, ATTACHMENT):
        text = DEFINITION.format(slug=slug, term=TERM_DAYS)
        (folder / f"{slug}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    report = definitions_import(folder)
    assert report.problems == [], report.problems


def citizen_user():
    return PersonFactory().user


def draft(user, slug: str, *, at: datetime) -> Application:
    application = citizen.application_start(actor=user, service_slug=slug, now=at)
    return citizen.application_step_save(
        actor=user, public_id=application.public_id, step=0, data={"note": ["да"]}, now=at
    )


def submitted(user, slug: str, *, at: datetime, channel: str = "web") -> Application:
    application = draft(user, slug, at=at)
    return citizen.application_submit(
        actor=user, public_id=application.public_id, channel=channel, now=at
    )


def move(application: Application, to: str, *, at: datetime, actor=None) -> Application:
    """One move by whichever side the workflow lets make it (the department first)."""
    application = Application.objects.select_related("definition", "service").get(pk=application.pk)
    workflow = application.definition.document["workflow"]
    by = (
        "department"
        if to in rules.moves_from(workflow, application.status, by="department")
        else "applicant"
    )
    with transaction.atomic():
        return moves.application_move(
            application, to=to, by=by, actor=actor or application.applicant.user, now=at
        )


def decided(
    user, slug: str, *, sent: datetime, registered: datetime, at: datetime, to: str, **kwargs
) -> Application:
    """Sent, registered (the term starts), reviewed and decided (`to`: result_ready, refused)."""
    application = submitted(user, slug, at=sent, **kwargs)
    move(application, "registered", at=registered)
    move(application, "in_review", at=registered)
    return move(application, to, at=at)


def moscow(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=MOSCOW)


def march_history():
    """Two weeks of March 2025 (Mon 3 – Sun 16) at two services; see each line."""
    user = citizen_user()
    draft(user, HOME_VISIT, at=moscow(3))  # started, never sent
    done = decided(  # 3 working days, in term (due 11 March), then received
        user, HOME_VISIT, sent=moscow(3), registered=moscow(4), at=moscow(6), to="result_ready"
    )
    move(done, "completed", at=moscow(7))
    decided(  # 8 working days, 10 calendar days, late (due 12 March)
        user,
        HOME_VISIT,
        sent=moscow(4),
        registered=moscow(5),
        at=moscow(14),
        to="refused",
        channel="mobile",
    )
    move(submitted(user, HOME_VISIT, at=moscow(5), channel="api"), "withdrawn", at=moscow(5))
    # Documents refused the next day, before registration: no term to be within.
    move(
        submitted(user, HOME_VISIT, at=moscow(5), channel="api"), "refused_to_accept", at=moscow(6)
    )
    # Started in February, sent in the period: sent, not started, in March.
    early = draft(user, HOME_VISIT, at=moscow(27, month=2))
    citizen.application_submit(actor=user, public_id=early.public_id, channel="web", now=moscow(3))
    draft(user, HOME_VISIT, at=moscow(16, 23, 30))  # the period's last evening: in it
    draft(user, HOME_VISIT, at=moscow(17, 0, 30))  # half an hour later, 21:30 UTC: not
    thrown = draft(user, HOME_VISIT, at=moscow(3))  # deleted: its history goes with it
    citizen.application_draft_delete(actor=user, public_id=thrown.public_id)
    decided(  # decided on the day it was sent
        user,
        ATTACHMENT,
        sent=moscow(10),
        registered=moscow(10),
        at=moscow(10, 15),
        to="result_ready",
    )
    return user
