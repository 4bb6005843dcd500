from gorod.appointments.tests.fixtures import clinic  # noqa: F401  (defined beside its helpers)
