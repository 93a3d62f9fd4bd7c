# The two set-up commands: `make run` (the portal) and `make test` (the suite).
# Both use SQLite and a broker-less Celery unless DATABASE_URL / CELERY_BROKER_URL are set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint worker clean bench

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

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var .pytest_cache .ruff_cache .hypothesis
