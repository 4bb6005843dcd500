# gorod: `make run` serves the demo city, `make test` runs every check.
# Needs only Python 3.11+ and make; everything else is installed into .venv from the lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# A local PostgreSQL for the second test run; CI sets CI=true and must have it.
GOROD_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gorod

.PHONY: run serve install migrate demo test lint format test-sqlite test-postgres check-deploy bench messages clean

run: install migrate demo serve

install: $(INSTALLED)

$(INSTALLED): requirements/lock.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(INSTALLED)

migrate: install
	$(BIN)/gorod migrate --no-input

demo: install
	$(BIN)/gorod demo --if-empty

# The background worker (rollups, reminders) runs beside the server and stops with it.
serve: install
	trap 'kill 0' EXIT; $(BIN)/gorod worker & $(BIN)/gorod serve --host $(HOST) --port $(PORT)

# Style, then the layering of the apps (import contracts in pyproject.toml), then sizes:
# no module past 800 lines, no function past 80 (scripts/check_sizes.py).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sizes.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install lint test-sqlite test-postgres check-deploy

# Two pytest workers (pytest-xdist): the machine has two cores, and the browser and race
# tests wait on I/O. Each worker has its own test database. The tiers (conftest.py): tests
# without a database run once, on SQLite; database tests on both databases; end-to-end tests
# (browser, schemathesis, HTML validator) once, on PostgreSQL, or on SQLite where there is
# no PostgreSQL (never in CI). Each run prints its slowest tests.
PYTEST = $(BIN)/pytest -n 2 --durations=15

test-sqlite: install
	@echo "== tests on SQLite: pure and database tiers =="
	$(PYTEST) --tier pure,db

test-postgres: install
	@status=0; $(BIN)/python scripts/require_postgres.py "$(GOROD_TEST_DATABASE_URL)" || status=$$?; \
	if [ $$status -eq 3 ]; then \
		echo "== end-to-end tests on SQLite instead =="; $(PYTEST) --tier e2e; \
	elif [ $$status -ne 0 ]; then exit $$status; \
	else \
		echo "== tests on PostgreSQL: database and end-to-end tiers =="; \
		DATABASE_URL="$(GOROD_TEST_DATABASE_URL)" $(PYTEST) --tier db,e2e; \
	fi

# Configured as an operator would: a password-protected signing key only the portal's user
# can read (a throwaway self-signed one here, made in a temporary directory and removed).
check-deploy: install
	@key_dir=$$(mktemp -d) && trap 'rm -rf "$$key_dir"' EXIT && umask 077 && \
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=gorod check-deploy (throwaway)" \
		-keyout "$$key_dir/key.pem" -out "$$key_dir/cert.pem" 2>/dev/null && \
	openssl pkcs12 -export -inkey "$$key_dir/key.pem" -in "$$key_dir/cert.pem" \
		-out "$$key_dir/signing.p12" -passout pass:check-deploy && \
	GOROD_ENV=production SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	ALLOWED_HOSTS=gorod.example DATABASE_URL="sqlite:///:memory:" \
	GOROD_HEALTH_SIGNING_KEY="$$key_dir/signing.p12" GOROD_HEALTH_SIGNING_PASSWORD=check-deploy \
	$(BIN)/gorod check --deploy --fail-level WARNING

# make bench BENCH_ARGS="--write --database-url postgres://postgres@127.0.0.1:5432/gorod_bench"
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

messages: install
	cd gorod && ../$(BIN)/django-admin makemessages -l en --no-obsolete && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
