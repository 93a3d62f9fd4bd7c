# The two set-up commands: `make run` (the portal) and `make test` (the suite).
# Both use SQLite and a broker-less Celery unless DATABASE_URL / CELERY_BROKER_URL are set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint worker clean bench e2e fuzz chromium

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)
	$(PY) manage.py compile_translations

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

# The portal at http://$(HOST):$(PORT), with a Celery worker and beat beside it; both stop together.
run: seed
	@trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A fundportal worker -B --loglevel=INFO --concurrency=2 \
	    --schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
	echo "Background tasks: Celery worker and beat (log in var/celery.log)"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest

# Every benchmark under bench/ in one run (about 10–20 minutes on 2 cores), on PostgreSQL at
# 127.0.0.1:5432 and Redis (index 9); writes docs/PERFORMANCE.md. The HTTP one needs wrk.
bench: install
	@command -v wrk >/dev/null || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
	    else echo "make bench needs wrk: install the Debian package (sudo apt-get install wrk)" >&2; exit 1; fi; }
	$(PY) bench/run_all.py

# Browser tests drive Debian's chromium (never a downloaded browser): installed here when missing.
chromium:
	@test -x /usr/bin/chromium || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq chromium fonts-wqy-zenhei; \
	    else echo "the browser journeys need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# The browser journeys (e2e/): demo cities served as `make run` serves them, driven by headless
# Chromium at phone size in Chinese and English, every page checked by axe-core. Screenshots of
# each journey's final screens go to var/e2e/screenshots (E2E_OUTPUT moves the folder).
e2e: install chromium
	$(VENV)/bin/pytest e2e -p no:cacheprovider -q

# Schemathesis against the API's OpenAPI schema on a served demo city, as an employee and as the
# employer's operators (FUZZ_EXAMPLES=N explores further; FUZZ_SEED=N changes the seed).
fuzz: install
	$(VENV)/bin/pytest fuzz -p no:cacheprovider -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var .pytest_cache .ruff_cache .hypothesis
