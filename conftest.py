"""Fixtures shared by every app's tests, and the tiers the suite is run in.

Every test belongs to one tier, read from its fixtures and markers (never from its path):

- `pure`: no database at all (no database fixture, no `django_db` marker);
- `db`: uses the database, through the test client or the ORM;
- `e2e`: end to end: a browser (`browser` marker, `live_server`), a schemathesis run over
  the API, or an outside checker (`e2e` marker, e.g. the HTML validator).

`make test` runs `pure` and `db` on SQLite, then `db` and `e2e` on PostgreSQL: every test
runs at least once, every database test on both databases. `--tier db,e2e` selects tiers;
the others are reported as deselected.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

import hypothesis
import pytest
import redis
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models.signals import post_migrate
from django.test import override_settings
from django.utils import translation
from schemathesis.pytest.plugin import SchemathesisFunction

from gorod.catalog import snapshot
from gorod.core.tests.module_data import connection_kept_between_requests

# Browser fixtures (Playwright, one Chromium per test session) for every app's page tests;
# the polyclinic every health app's tests start from (`clinic`).
pytest_plugins = ["gorod.web.tests.browser", "gorod.appointments.tests.fixtures"]

# No timed assertions: hypothesis' per-example deadline and its "generation is slow" check
# would fail a property on a busy machine while the property holds. Speed is measured by
# the benchmarks instead.
hypothesis.settings.register_profile(
    "gorod", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("gorod")

CATALOG_FIXTURE = Path(__file__).parent / "gorod" / "catalog" / "fixtures" / "services.csv"

TIERS = ("pure", "db", "e2e")
# Fixtures that open the test database (pytest-django's, and what reaches it without `db`).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "django_db_setup",
    "live_server",
}
# Tests hash passwords for every user a factory makes; argon2's deliberate cost (~0.3 s a
# hash here) would be most of their time. The test of the real hashers asks for them.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_addoption(parser):
    parser.addoption(
        "--tier",
        default=",".join(TIERS),
        help=f"comma-separated tiers to run, of {', '.join(TIERS)} (default: all)",
    )


_chosen_tiers = pytest.StashKey[set[str]]()
_deselected_tiers = pytest.StashKey[dict[str, int]]()


def pytest_configure(config):
    chosen = {tier.strip() for tier in config.getoption("tier").split(",") if tier.strip()}
    if not chosen or chosen - set(TIERS):
        raise pytest.UsageError(f"--tier takes some of {', '.join(TIERS)}, not {chosen}")
    config.stash[_chosen_tiers] = chosen


def tier_of(item: pytest.Item) -> str:
    fixtures = set(getattr(item, "fixturenames", ()))
    if (
        item.get_closest_marker("browser")
        or item.get_closest_marker("e2e")
        or "live_server" in fixtures
        or isinstance(item, SchemathesisFunction)
    ):
        return "e2e"
    if item.get_closest_marker("django_db") or fixtures & DATABASE_FIXTURES:
        return "db"
    return "pure"


def pytest_collection_modifyitems(config, items):
    chosen = config.stash[_chosen_tiers]
    selected, deselected = [], []
    for item in items:
        (selected if tier_of(item) in chosen else deselected).append(item)
    if not deselected:
        return
    config.hook.pytest_deselected(items=deselected)
    items[:] = selected
    counts = {tier: 0 for tier in TIERS if tier not in chosen}
    for item in deselected:
        counts[tier_of(item)] += 1
    config.stash[_deselected_tiers] = counts
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: tell the controller
        config.workeroutput["deselected_tiers"] = counts


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller hears what a worker deselected (each deselects the same)."""
    if counts := getattr(node, "workeroutput", {}).get("deselected_tiers"):
        node.config.stash[_deselected_tiers] = counts


def pytest_terminal_summary(terminalreporter, config):
    """Say which tiers ran: under pytest-xdist the summary line counts no deselected."""
    if counts := config.stash.get(_deselected_tiers, None):
        chosen = ", ".join(tier for tier in TIERS if tier in config.stash[_chosen_tiers])
        left = ", ".join(f"{count} {tier}" for tier, count in counts.items())
        terminalreporter.write_line(f"tiers run: {chosen}; deselected: {left}")


class _Quiet:
    def write(self, *_args, **_kwargs) -> None:
        pass


class _NoStyle:
    def __getattr__(self, _name):
        return str


def load_catalog() -> None:
    """The ten categories (a data migration) and the project's catalog, if missing."""
    from gorod.catalog.importers import import_services_file
    from gorod.catalog.models import Category, Service

    if not Category.objects.exists():
        import_module("gorod.catalog.migrations.0002_the_ten_categories").create_categories(
            django_apps, None
        )
    if not Service.objects.exists():
        import_services_file(CATALOG_FIXTURE, stdout=_Quiet(), style=_NoStyle())
    snapshot.invalidate()


class _CatalogCopy:
    """The catalog as loaded once for the session, and its in-memory snapshot.

    A transactional test ends by emptying every table (Django's `flush`). Importing the
    469 services again through the catalog's services took ~1.7 s a test; `restore` puts
    the copied rows back in milliseconds, timestamps included. What a test changed in the
    catalog is flushed with the rest, so the next test finds the catalog as loaded.

    Every test starts without a snapshot (see _fresh_catalog_snapshot), and building one
    (the search index above all) took a third of a second or more, half the time of a page
    test. `build` stands in for the snapshot's builder: when the catalog's rows are the
    copied ones, it returns the snapshot made of them once; any other rows get their own.
    """

    models = ("catalog.Category", "catalog.Department", "catalog.Service")

    def __init__(self) -> None:
        models = [django_apps.get_model(label) for label in self.models]
        self.rows = {model: list(model.objects.values()) for model in models}
        self.tables = [model._meta.db_table for model in models]
        self.stored = self.read_stored()
        self._build = snapshot._build
        snapshot.discard()
        self.snapshot = snapshot.current()

    def read_stored(self) -> list[list[tuple]]:
        """The tables as stored, unconverted: the cheapest faithful comparison.

        Read through the driver's own cursor, in the test's transaction but outside Django's
        query log: a test that counts a page's queries counts the portal's, not this check's.
        """
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        try:
            stored = []
            for table in map(connection.ops.quote_name, self.tables):
                cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (our tables)
                stored.append(cursor.fetchall())
        finally:
            cursor.close()
        return stored

    def build(self, version: tuple) -> snapshot.CatalogSnapshot:
        if self.read_stored() == self.stored:
            return self.snapshot
        return self._build(version)

    def restore(self, using: str, **_signal) -> None:
        with transaction.atomic(using=using), pytest.MonkeyPatch.context() as patch:
            for model, rows in self.rows.items():
                for field in model._meta.concrete_fields:  # the copied times, not now
                    for option in ("auto_now", "auto_now_add"):
                        if getattr(field, option, False):
                            patch.setattr(field, option, False)
                model.objects.using(using).bulk_create(model(**row) for row in rows)
        snapshot.invalidate()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_keepdb):
    """A fresh SQLite test database starts without the write-ahead log of an interrupted
    run: its name is fixed, and SQLite would replay a stale log into the new file.

    PostgreSQL commits without waiting for the disk: a test database needs no durability,
    and the transactional tests, their threads and the migrations commit thousands of times.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not django_db_keepdb:
        for suffix in ("-wal", "-shm"):
            Path(database["TEST"]["NAME"] + suffix).unlink(missing_ok=True)
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"


@contextmanager
def _roles_synced_once_per_flush() -> Iterator[None]:
    """accounts' sync_roles hears every app's post_migrate (42 times a flush), so that a
    migrate also grants the permissions of apps migrated after accounts. By the last app's
    signal every permission exists: syncing there alone gives the same groups, in one pass.
    """
    from gorod.accounts.roles import sync_roles

    uid = "gorod.accounts.sync_roles"
    last_app = [app for app in django_apps.get_app_configs() if app.models_module][-1]
    post_migrate.disconnect(dispatch_uid=uid)
    post_migrate.connect(sync_roles, sender=last_app, dispatch_uid=uid)
    try:
        yield
    finally:
        post_migrate.disconnect(dispatch_uid=uid)
        post_migrate.connect(sync_roles, dispatch_uid=uid)


@contextmanager
def _postgresql_flushes_by_delete() -> Iterator[None]:
    """The flush after a transactional test deletes rows instead of truncating tables.

    PostgreSQL's TRUNCATE of every table took seconds a test here (each table and index
    gets a new file), to empty the few tables a test wrote into; DELETE, as SQLite's flush
    does, takes milliseconds. Django declares foreign keys deferred, so the order of the
    deletes does not matter. A flush that must reset sequences or cascade still truncates.
    """
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = style.SQL_KEYWORD("DELETE FROM")
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the catalog once; each test's rollback leaves it in place, and each flush (of a
    transactional test) is followed by its copy: `flush` ends with the post_migrate signal."""
    from gorod.medrecord import guards

    with django_db_blocker.unblock():
        load_catalog()
        copy = _CatalogCopy()
        # A kept database (--reuse-db) may come from a run that ended on a flush.
        if not guards.installed(connection):
            guards.install(connection)
    catalog_app = django_apps.get_app_config("catalog")
    post_migrate.connect(copy.restore, sender=catalog_app, weak=False)
    with (
        pytest.MonkeyPatch.context() as patch,
        _roles_synced_once_per_flush(),
        _postgresql_flushes_by_delete(),
    ):
        patch.setattr(snapshot, "_build", copy.build)
        yield
    post_migrate.disconnect(copy.restore, sender=catalog_app)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashers():
    """MD5 for the session; yields the project's own hashers for the test that checks them."""
    project = list(django_settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield project


@pytest.fixture
def project_password_hashers(_fast_password_hashers, settings):
    """The hashers the portal runs with (argon2 first), for a test of the hashing itself."""
    settings.PASSWORD_HASHERS = _fast_password_hashers


@pytest.fixture(autouse=True, scope="session")
def _synchronous_side_work():
    """Usage events written inside the test's transaction, tasks run where enqueued: what
    a test asserts on is in the database when the call returns. The buffered writer and
    the worker have tests of their own that switch these back. For the session, so that
    module-scoped fixtures run this way too."""
    with override_settings(
        GOROD_USAGE_WRITE="immediate",
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _private_files_in_a_temporary_folder(tmp_path_factory):
    """Citizens' uploads in tests go to a temporary folder, not the checkout's var/private.

    The storage object is made once, when the models load (FileField calls its storage
    callable then), so the test session points that object at the folder.
    """
    storage = storages["private"]
    storage._location = str(tmp_path_factory.mktemp("private"))
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


@pytest.fixture
def private_files(tmp_path) -> Iterator[Path]:
    """The private storage in this test's own folder: a test that counts the files stored,
    or needs a file missing, sees only its own."""
    storage = storages["private"]
    session_folder = storage._location

    def point_at(folder: str) -> None:
        storage._location = folder
        for cached in ("base_location", "location"):
            storage.__dict__.pop(cached, None)

    point_at(str(tmp_path))
    yield tmp_path
    point_at(session_folder)


@pytest.fixture(autouse=True, scope="session")
def _small_demo_city():
    """`gorod demo` in a test invents a handful of households and patients, not thousands:
    the tests check what the demo holds, not how much of it there is."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("gorod.demo.housing.DEFAULT_HOUSEHOLDS", 5)
        patch.setattr("gorod.demo.health.DEFAULT_PATIENTS", 20)
        patch.setattr("gorod.demo.applications.DEFAULT_APPLICATIONS", 30)
        patch.setattr("gorod.demo.applications.APPLICANTS", 6)
        patch.setattr("gorod.demo.school.DEFAULT_CLASS_SIZE", 3)
        patch.setattr("gorod.demo.clubs.DEMO_DISTRICTS", 3)
        patch.setattr("gorod.demo.clubs.GROUPS_ELSEWHERE", (0, 0))
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's language: a page asked for in English activates it
    in the thread (the locale middleware does not switch back), and a later test in the
    same worker would otherwise read English where it expects Russian."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Ids repeat between tests (each rolls back), so one test's cached lists and counters
    must not answer the next one."""
    cache.clear()


@pytest.fixture
def redis_cache(request) -> Iterator[None]:
    """The default cache in the real Redis (GOROD_TEST_REDIS_URL, database 15 by default),
    for what behaves differently there than in the per-process memory cache: counters shared
    between processes, pipelines, expiry. Each test gets its own key prefix, so xdist workers
    and earlier runs never meet. In CI Redis is required (CI=true): a missing one fails."""
    location = os.environ.get("GOROD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {location}")
    prefix = f"test-{uuid.uuid4().hex}"
    backend = {"BACKEND": django_settings.REDIS_CACHE_BACKEND, "LOCATION": location}
    with override_settings(CACHES={"default": backend | {"KEY_PREFIX": prefix}}):
        yield
        keys = redis.Redis.from_url(location).keys(f"{prefix}:*")
        if keys:
            redis.Redis.from_url(location).delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_catalog_snapshot():
    # The in-memory snapshot outlives a test's transaction; make every test re-check (a
    # catalog as loaded gets the snapshot built of it once: _CatalogCopy.build).
    snapshot.discard()
    yield
    snapshot.discard()


@pytest.fixture
def catalog(db):
    """The full project catalog (469 services), loaded once for the session."""
    load_catalog()


@pytest.fixture
def wsgi_db(db):
    """The test's database transaction kept across requests made through the WSGI
    application (schemathesis), which would otherwise close the connection at the end of
    each; cheaper than a transactional test, whose flush on PostgreSQL takes a second."""
    with connection_kept_between_requests():
        yield


@pytest.fixture
def transactional_catalog(transactional_db):
    load_catalog()


@pytest.fixture(autouse=True)
def _record_guards_allow_flush(request):
    """The flush after a transactional test empties the tables with DELETE (on both
    databases, see _postgresql_flushes_by_delete), which the medical record's triggers
    refuse. Around such a test the guards are lifted for the flush and put back for the
    next test.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if not transactional:
        yield
        return
    # Set up before this fixture, so its flush runs after this fixture's teardown.
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from gorod.medrecord import guards

    if not guards.installed(connection):
        guards.install(connection)
    yield
    guards.drop(connection)


@pytest.fixture(autouse=True)
def _record_guards_in_place(request):
    """A test after a transactional one finds the guards that it lifted put back."""
    if "db" not in request.fixturenames and request.node.get_closest_marker("django_db") is None:
        return
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from gorod.medrecord import guards

    if not guards.installed(connection):
        guards.install(connection)
