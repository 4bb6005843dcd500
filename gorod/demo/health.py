"""The health part of `gorod demo`: clinics and doctors, slots, bookings and the record."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from gorod.accounts.models import User
from gorod.analytics.services import usage_paused
from gorod.clinics.models import (
    Organisation,
)
from gorod.core import clock
from gorod.demo.appointments import _bookings
from gorod.demo.clinics import (
    REGISTRY_FILE,
    _choose,
    _clinics,
    _family,
    _invented,
    _logins,
    _open_slots,
    _staff,
)
from gorod.demo.medrecord_family import record_demo

# Invented citizens attached to the staffed clinics (the demo family comes on top).
DEFAULT_PATIENTS = 300


@dataclass(frozen=True)
class HealthDemo:
    seed: int
    # Whether the clinics came from the city's registry file (else invented ones).
    imported: bool
    organisations: int
    staffed: int
    practitioners: int
    slots: int
    patients: int
    appointments: int
    # Logins made now, with their passwords and what to try, for var/demo-credentials.txt.
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


def health_demo(
    *,
    citizen: User,
    seed: int,
    patients: int = DEFAULT_PATIENTS,
    registry: Path | None = REGISTRY_FILE,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HealthDemo:
    """Clinics, doctors, slots, attached citizens and bookings; all or nothing."""
    rng = random.Random(seed)  # noqa: S311 — invented data, not a secret
    now = clock.local_now(now or timezone.now())
    steps = 6

    def step(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    with transaction.atomic():
        imported = _clinics(registry)
        step(1)
        clinics = _choose(rng, citizen)
        roles = _staff(rng, clinics, today=now.date())
        step(2)
        credentials, registrar, doctor_role = _logins(clinics, roles)
        step(3)
        slots = _open_slots(roles, doctor_role, now=now)
        step(4)
        family = _family(citizen, clinics, now=now)
        invented = _invented(rng, clinics, patients, today=now.date())
        step(5)
        # Invented visits are not uses of the portal: the demo's year of usage is
        # generated on its own (gorod/analytics/demo.py), as housing's readings are not
        # counted either.
        with usage_paused():
            appointments = _bookings(
                rng,
                citizen=citizen,
                family=family,
                invented=invented,
                clinics=clinics,
                registrar=registrar,
                doctor_role=doctor_role,
                now=now,
            )
            # Years of medical records behind the visits (gorod/health/demo_record.py).
            record_demo(
                seed=seed,
                citizen=citizen,
                family=family,
                invented=invented,
                clinics=clinics,
                now=now,
            )
        step(6)
    return HealthDemo(
        seed=seed,
        imported=imported,
        organisations=Organisation.objects.count(),
        staffed=len(clinics.all),
        practitioners=len(roles),
        slots=slots,
        patients=len(invented.adults) + len(invented.children),
        appointments=appointments,
        credentials=credentials,
    )
