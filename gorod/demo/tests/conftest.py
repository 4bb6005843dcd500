from gorod.appointments.tests.fixtures import clinic  # noqa: F401  (the shared polyclinic)
