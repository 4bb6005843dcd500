"""Settings for gorod, read from the environment (twelve-factor).

Two modes share this one file: the local/demo mode that `make run` starts (SQLite under
var/, a generated secret key, plain HTTP on loopback) and production (GOROD_ENV=production:
PostgreSQL, secrets from the environment, HTTPS-only cookies, HSTS). See docs/deploy.md.
"""

import os
import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GOROD_VAR_DIR", PROJECT_DIR / "var"))
# The city's open data the importers and the demo read by default (read there, never copied
# into the project): ../shared/data beside the checkout.
SHARED_DATA_DIR = Path(
    os.environ.get("GOROD_SHARED_DATA_DIR", PROJECT_DIR.parent / "shared" / "data")
)


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


GOROD_ENV = os.environ.get("GOROD_ENV", "local")
PRODUCTION = GOROD_ENV == "production"
DEBUG = env_flag("GOROD_DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; locally, one generated once and kept in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when GOROD_ENV=production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written with 0600 so other local users cannot forge sessions.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "gorod.core",
    "gorod.accounts",
    "gorod.catalog",
    "gorod.analytics",
    "gorod.feedback",
    "gorod.housing",
    # Kept for its migration history: the tables it created now belong to the four apps below.
    "gorod.health",
    "gorod.clinics",
    "gorod.appointments",
    "gorod.medrecord",
    "gorod.fhir",
    "gorod.notifications",
    "gorod.applications",
    "gorod.school",
    "gorod.clubs",
    # Above every domain: `gorod demo` and the demo city's generators.
    "gorod.demo",
    "gorod.web",
    "django_tasks",
    "django_tasks_db",
    # Last, so our templates override its favicons; installed so that Django Ninja serves
    # Swagger UI from our static files (CSP allows nothing from a CDN).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gorod.core.middleware.ApiProblemMiddleware",
    "gorod.core.middleware.JsonRequestBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the session's user remembered per process (gorod/accounts/auth_cache.py).
    "gorod.accounts.middleware.AuthenticationMiddleware",
    "gorod.core.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that it sees a view's exception first: a NotFound becomes the 404 page.
    "gorod.core.middleware.NotFoundPageMiddleware",
]

ROOT_URLCONF = "gorod.urls"
WSGI_APPLICATION = "gorod.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gorod.web.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite (WAL) is the embedded default so one command runs the whole portal on a laptop;
# production sets DATABASE_URL=postgres://... (psycopg 3).
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'gorod.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL),
        # Persistent connections: granian runs a fixed, small number of blocking threads
        # per worker, so connections stay bounded (threads x workers).
        conn_max_age=None,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN,
        # so two writers queue on busy_timeout instead of failing with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not shared-cache memory: shared cache takes table locks that ignore
    # the busy timeout, so concurrent-writer tests would fail where a real deployment queues.
    # One fixed name per checkout (pytest-xdist adds _gw0, _gw1 for its workers), so that
    # `pytest --reuse-db` finds the test database again, as it does PostgreSQL's test_<name>.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_gorod.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    # Prepared statements: psycopg binds parameters on the server and, from the second run
    # of the same SQL on a connection, prepares it, so PostgreSQL stops planning the hot
    # reads afresh on every request (planning cost more than running the record's facts).
    # A transaction-pooling PgBouncer before 1.21 cannot carry them: set "off" there
    # (docs/deploy.md, docs/decisions/0012-hot-paths.md).
    _prepare_threshold = os.environ.get("GOROD_DB_PREPARE_THRESHOLD", "2")
    if _prepare_threshold != "off":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(_prepare_threshold)
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Tests that need the real Redis (revocation, one-round-trip invalidation) use this backend:
# Django's, with one client per connection pool instead of one per call (gorod.core.cache).
REDIS_CACHE_BACKEND = "gorod.core.cache.RedisCache"
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": REDIS_CACHE_BACKEND, "LOCATION": REDIS_URL, "KEY_PREFIX": "gorod"}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts and security ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # The manager normalises "8 916 …" and "Ivan@Mail.ru" before lookup, so the stock
    # backend logs in by e-mail or by phone.
    "django.contrib.auth.backends.ModelBackend",
]
# A verified personal token or session user is remembered by each process for up to
# GOROD_AUTH_CACHE_SECONDS (0 = not at all), so a signed-in request skips its lookup. A
# revocation (token revoked, user deactivated, password or person changed) reaches every
# process within GOROD_AUTH_REVOCATION_SECONDS through a version in Redis (0 = one GET per
# request). Without Redis no other process would hear of a revocation before its entry
# expired, so the memory is off unless set (then GOROD_AUTH_CACHE_SECONDS is the bound).
GOROD_AUTH_CACHE_SECONDS = float(
    os.environ.get("GOROD_AUTH_CACHE_SECONDS", "60" if REDIS_URL else "0")
)
GOROD_AUTH_REVOCATION_SECONDS = float(os.environ.get("GOROD_AUTH_REVOCATION_SECONDS", "1"))
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:cabinet"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (gorod/accounts/throttling.py): a login and an address are locked together
# after AXES_FAILURE_LIMIT wrong passwords; an address failing on many logins is refused;
# a login failing from many addresses waits a growing delay, never a lock on the account.
AXES_FAILURE_LIMIT = int(os.environ.get("GOROD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GOROD_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "gorod.accounts.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "gorod.accounts.views.login_for_throttling"
AXES_HANDLER = "gorod.accounts.throttling.LoginThrottleHandler"
# A refused attempt is not checked, so it is not a failure: counting it would let an attacker
# who keeps knocking push the owner's wait (and the cool-off) ever further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "gorod.core.throttle.client_ip"
GOROD_LOGIN_ADDRESS_ACCOUNTS_LIMIT = int(os.environ.get("GOROD_LOGIN_ADDRESS_ACCOUNTS_LIMIT", "20"))
GOROD_LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("GOROD_LOGIN_DELAY_MAX_SECONDS", "60"))
GOROD_LOGIN_KNOWN_ADDRESS_DAYS = int(os.environ.get("GOROD_LOGIN_KNOWN_ADDRESS_DAYS", "90"))
# Accounts one network address may create in an hour (a family signs up a few; a script
# minting accounts to spray passwords or link requests from is stopped).
GOROD_SIGNUP_ADDRESS_LIMIT = int(os.environ.get("GOROD_SIGNUP_ADDRESS_LIMIT", "10"))
# The client's address is REMOTE_ADDR unless the load balancer's header is named here, with
# the number of our proxies that append to it (gorod.core.throttle.client_ip). Never set it
# without a proxy that overwrites the header: a client could then choose its own address.
GOROD_TRUSTED_PROXY_HEADER = os.environ.get("GOROD_TRUSTED_PROXY_HEADER", "")
GOROD_TRUSTED_PROXY_COUNT = int(os.environ.get("GOROD_TRUSTED_PROXY_COUNT", "1"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # Behind a TLS-terminating proxy; the redirect can be switched off for loopback
    # benchmarks, which speak plain HTTP.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("GOROD_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("GOROD_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Nothing is loaded from elsewhere: every script, style and font is served by us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("GOROD_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # WhiteNoise warns about a missing STATIC_ROOT even when it serves from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Citizens' uploads and the results departments issue: outside the static files, with no
    # URL of their own; a view serves each file only to those entitled to it.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("GOROD_PRIVATE_FILES_DIR", str(VAR_DIR / "private")),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Locally WhiteNoise serves straight from the apps' static/ folders, so `make run` needs
# no collectstatic step; production serves the hashed, compressed copies.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Calendar -------------------------------------------------------------------------
# Days off of the city's own (ISO dates, comma-separated), on top of the Russian production
# calendar (public holidays and the government's moves of days off, gorod.core.calendar).
GOROD_EXTRA_DAYS_OFF = frozenset(
    date.fromisoformat(day)
    for day in os.environ.get("GOROD_EXTRA_DAYS_OFF", "").split(",")
    if day.strip()
)

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "GOROD_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("GOROD_FROM_EMAIL", "gorod <noreply@localhost>")

# --- gorod ----------------------------------------------------------------------------
# How often a process re-checks whether the catalog changed (its in-memory search index
# and catalog snapshot are rebuilt when it did). Writes in this process apply at once.
GOROD_CATALOG_RECHECK_SECONDS = float(os.environ.get("GOROD_CATALOG_RECHECK_SECONDS", "5"))
GOROD_API_PAGE_SIZE_MAX = 100
GOROD_SEARCH_QUERY_MAX_LENGTH = 200

# Background tasks (rollups, reminders): Django's tasks framework, rows in the database,
# run by `gorod worker` (docs/deploy.md). Tests run them in the calling thread.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("GOROD_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Periodic tasks `gorod worker` enqueues: (task path, every N minutes).
GOROD_PERIODIC_TASKS = [
    (
        "gorod.analytics.tasks.rollup_recent_days",
        int(os.environ.get("GOROD_ROLLUP_EVERY_MINUTES", "10")),
    ),
    # Idempotent (one message per person, period and reason), so hourly is harmless.
    ("gorod.housing.tasks.send_window_reminders", 60),
    # Doctor appointments: keep the horizon's slots generated, remind, mark no-shows.
    # Each is idempotent, so a second node or a rerun changes nothing.
    ("gorod.appointments.tasks.open_slots", 60),
    ("gorod.appointments.tasks.send_appointment_reminders", 10),
    ("gorod.appointments.tasks.mark_no_shows", 10),
    # Certificates ordered online are made ready (signed PDF) once their day has come.
    ("gorod.medrecord.tasks.prepare_due_certificates", 60),
    # Clubs: invitations not confirmed in time pass their places on (idempotent).
    ("gorod.clubs.tasks.lapse_invitations", 60),
    # The daily digests of optional notifications: nothing before GOROD_DIGEST_HOUR, then
    # one per person and day (the outbox key), so hourly reruns write nothing more.
    ("gorod.notifications.tasks.send_digests", 60),
]
# The hour (the city's time, 0–23) from which the day's digest of the notifications a
# citizen takes once a day is written; the first hourly run past it writes them.
GOROD_DIGEST_HOUR = int(os.environ.get("GOROD_DIGEST_HOUR", "19"))
if not 0 <= GOROD_DIGEST_HOUR <= 23:
    # An hour past 23 would never come: no digest, silently.
    raise RuntimeError("GOROD_DIGEST_HOUR must be between 0 and 23")

# Usage analytics (docs/analytics.md). The pseudonym key turns account ids into keyed
# hashes; changing it starts unique-user counting afresh, so set it once per city.
GOROD_ANALYTICS_KEY = (
    os.environ.get("GOROD_ANALYTICS_KEY") or f"gorod.analytics:{SECRET_KEY}"
).encode()
GOROD_ANALYTICS_TIME_ZONE = os.environ.get("GOROD_ANALYTICS_TIME_ZONE", "Europe/Moscow")
# "buffered": a writer thread inserts events in batches, off the request (production);
# "immediate": inside the caller's transaction (tests, one-off scripts); "off": nothing.
GOROD_USAGE_WRITE = os.environ.get("GOROD_USAGE_WRITE", "buffered")
if GOROD_USAGE_WRITE not in {"buffered", "immediate", "off"}:
    # A typo would otherwise count nothing, silently.
    raise RuntimeError("GOROD_USAGE_WRITE must be buffered, immediate or off")
GOROD_USAGE_FLUSH_SECONDS = float(os.environ.get("GOROD_USAGE_FLUSH_SECONDS", "1"))
GOROD_USAGE_BATCH = int(os.environ.get("GOROD_USAGE_BATCH", "500"))
GOROD_USAGE_BUFFER_MAX = int(os.environ.get("GOROD_USAGE_BUFFER_MAX", "100000"))
# Figures below this are not shown in public (open data, a service's rating).
GOROD_PUBLIC_MIN_COUNT = 10
# The feedback window: a use can be rated, and a rating changed, for this many days.
GOROD_RATING_EDIT_DAYS = int(os.environ.get("GOROD_RATING_EDIT_DAYS", "30"))

# The school diary (DOMAIN.md): the averages at or above which a period mark of 5, 4 and 3
# is suggested (a school may set its own), and the days after a period's end during which
# its teacher may still change its marks (afterwards only the head teacher may).
GOROD_SCHOOL_MARK_THRESHOLDS = os.environ.get("GOROD_SCHOOL_MARK_THRESHOLDS", "4.60,3.60,2.60")
GOROD_SCHOOL_CHANGE_CUTOFF_DAYS = int(os.environ.get("GOROD_SCHOOL_CHANGE_CUTOFF_DAYS", "5"))
# The namespace (a UUID) of the schools' OneRoster sourcedIds; unset, it is derived from
# SECRET_KEY, and rotating the key would change every id partners hold.
GOROD_ONEROSTER_NAMESPACE = os.environ.get("GOROD_ONEROSTER_NAMESPACE", "")

# Clubs and sports sections: the municipal districts' boundaries (GeoJSON, WGS84) that
# place a venue in its district; by default the OpenStreetMap file in ../shared/data.
GOROD_DISTRICTS_GEOJSON = Path(
    os.environ.get(
        "GOROD_DISTRICTS_GEOJSON",
        SHARED_DATA_DIR / "moscow_municipal_units_osm.geojson",
    )
)

# Clubs and sports sections (DOMAIN.md): how many free programmes one child may hold at
# once, and the working days an invited family has to confirm in person with documents
# before the place goes to the next on the waiting list.
GOROD_CLUBS_FREE_PROGRAMMES_MAX = int(os.environ.get("GOROD_CLUBS_FREE_PROGRAMMES_MAX", "3"))
GOROD_CLUBS_CONFIRM_WORKING_DAYS = int(os.environ.get("GOROD_CLUBS_CONFIRM_WORKING_DAYS", "10"))

# Water and heat meter readings (DOMAIN.md). The window runs from the start day of the
# billing month to the end day (of the next month when it is smaller), in TIME_ZONE.
GOROD_METER_WINDOW_START_DAY = int(os.environ.get("GOROD_METER_WINDOW_START_DAY", "15"))
GOROD_METER_WINDOW_END_DAY = int(os.environ.get("GOROD_METER_WINDOW_END_DAY", "3"))
if not (1 <= GOROD_METER_WINDOW_START_DAY <= 28 and 1 <= GOROD_METER_WINDOW_END_DAY <= 28):
    # Day 29–31 do not exist in every month; a window must open and close in every one.
    raise RuntimeError("GOROD_METER_WINDOW_START_DAY and _END_DAY must be between 1 and 28")
# Monthly norms per registered resident (Moscow, m³), and when a reading needs the
# citizen's confirmation: above this many norms, or zero for this many periods in a row.
GOROD_METER_NORM_COLD = Decimal(os.environ.get("GOROD_METER_NORM_COLD", "6.935"))
GOROD_METER_NORM_HOT = Decimal(os.environ.get("GOROD_METER_NORM_HOT", "4.745"))
GOROD_METER_WARN_FACTOR = Decimal(os.environ.get("GOROD_METER_WARN_FACTOR", "3"))
GOROD_METER_ZERO_PERIODS = int(os.environ.get("GOROD_METER_ZERO_PERIODS", "3"))
# Above these a month's consumption of one meter is refused and passed to the operator
# (m³ per registered resident, Gcal per meter; docs/housing.md, "Impossible readings").
GOROD_METER_MAX_WATER_PER_RESIDENT = Decimal(
    os.environ.get("GOROD_METER_MAX_WATER_PER_RESIDENT", "100")
)
GOROD_METER_MAX_HEAT = Decimal(os.environ.get("GOROD_METER_MAX_HEAT", "10"))
# A request to link a premises waits this many days for an owner's or operator's answer.
GOROD_HOUSING_LINK_REQUEST_DAYS = int(os.environ.get("GOROD_HOUSING_LINK_REQUEST_DAYS", "14"))
# Without a reading a meter is billed at its average this many periods, then at the norm.
GOROD_METER_AVERAGE_PERIODS = int(os.environ.get("GOROD_METER_AVERAGE_PERIODS", "3"))
# Citizens are warned this many days before a meter's verification is due.
GOROD_METER_VERIFICATION_WARN_DAYS = int(os.environ.get("GOROD_METER_VERIFICATION_WARN_DAYS", "30"))
# Reminders go out when the window opens and this many days before it closes.
GOROD_METER_REMINDER_DAYS_BEFORE_CLOSE = int(
    os.environ.get("GOROD_METER_REMINDER_DAYS_BEFORE_CLOSE", "2")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GOROD_LOG_LEVEL", "WARNING")},
}

# Doctor appointments (DOMAIN.md). Every "(default)" of the domain is one of these.
GOROD_HEALTH_HORIZON_DAYS = int(os.environ.get("GOROD_HEALTH_HORIZON_DAYS", "14"))
# The next day of the horizon opens at this time (the 08:00 rush).
GOROD_HEALTH_DAY_OPENS_AT = os.environ.get("GOROD_HEALTH_DAY_OPENS_AT", "08:00")
GOROD_HEALTH_MIN_NOTICE_MINUTES = int(os.environ.get("GOROD_HEALTH_MIN_NOTICE_MINUTES", "0"))
GOROD_HEALTH_ONE_PER_SPECIALTY = os.environ.get("GOROD_HEALTH_ONE_PER_SPECIALTY", "1") == "1"
# Specialties booked without a referral (Specialty.code); the rest need one.
GOROD_HEALTH_DIRECT_SPECIALTIES = frozenset(
    os.environ.get(
        "GOROD_HEALTH_DIRECT_SPECIALTIES",
        "therapist,gp,pediatrician,gynecologist,ophthalmologist,surgeon,urologist,dentist,ent",
    ).split(",")
)
GOROD_HEALTH_REMINDER_HOURS = tuple(
    int(hours) for hours in os.environ.get("GOROD_HEALTH_REMINDER_HOURS", "24,2").split(",")
)
# A booked appointment with no visit marked becomes a no-show this long after its end.
GOROD_HEALTH_NO_SHOW_GRACE_MINUTES = int(os.environ.get("GOROD_HEALTH_NO_SHOW_GRACE_MINUTES", "60"))
# Off by default: this many no-shows in 365 days stop online self-booking ("" = off).
GOROD_HEALTH_NO_SHOW_LIMIT = (
    int(os.environ["GOROD_HEALTH_NO_SHOW_LIMIT"])
    if os.environ.get("GOROD_HEALTH_NO_SHOW_LIMIT")
    else None
)
# How long a clinic's free-slot board is kept (selectors/board.py). With Redis every
# process sees a change at once, so the board lives until one; without a shared cache a
# process may serve its own for this long after another process's change.
GOROD_HEALTH_BOARD_SECONDS = int(
    os.environ.get("GOROD_HEALTH_BOARD_SECONDS", "300" if REDIS_URL else "2")
)
# How many free slots a refusal offers instead of the one taken.
GOROD_HEALTH_ALTERNATIVES = int(os.environ.get("GOROD_HEALTH_ALTERNATIVES", "5"))
# A citizen changes their polyclinic by choice at most once a year (323-FZ art. 21);
# a change of residence is not held by it.
GOROD_HEALTH_ATTACHMENT_CHANGE_DAYS = int(
    os.environ.get("GOROD_HEALTH_ATTACHMENT_CHANGE_DAYS", "365")
)
# The medical record: a doctor reads the record of a patient with an appointment or an
# encounter with them within this many days either side of today (else only by an
# emergency look with a written reason).
GOROD_HEALTH_CARE_WINDOW_DAYS = int(os.environ.get("GOROD_HEALTH_CARE_WINDOW_DAYS", "30"))
# How many entries one page of the record's timeline shows.
GOROD_HEALTH_TIMELINE_PAGE = int(os.environ.get("GOROD_HEALTH_TIMELINE_PAGE", "20"))
# The certificate signer: a PKCS#12 file and its password. Without one, `gorod demo` and the
# tests make a self-signed demo key (docs/health-record.md); a city sets its clinic's key.
GOROD_HEALTH_SIGNING_KEY = os.environ.get("GOROD_HEALTH_SIGNING_KEY", "")
GOROD_HEALTH_SIGNING_PASSWORD = os.environ.get("GOROD_HEALTH_SIGNING_PASSWORD", "")
