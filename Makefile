# make run  - set up from a fresh clone and serve the demo on http://127.0.0.1:8000 (SQLite).
# make test - set up and run ruff, Django's checks, the migrations check and the whole suite,
#             in a random order (pytest-randomly; the header prints the seed: rerun one order with
#             make test PYTEST_ARGS="-p randomly --randomly-seed=N", file order with "-p no:randomly"),
#             test files shared among TEST_PROCESSES processes (pytest-xdist).
# make smoke - start the production stack on loopback ports, run a scenario with faults, count.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

# Test files run in this many processes (pytest-xdist): most slow tests wait on a worker, a browser
# or a subprocess, so three share two cores well. TEST_PROCESSES=0 runs them in this process.
TEST_PROCESSES ?= 3

# A local run needs no secrets; production sets SECRET_KEY and DEBUG stays off.
export DEBUG ?= 1

.PHONY: run test smoke install migrate messages messages-update lint worker beat bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# axe-core for the browser tests' accessibility checks (package.json; exact versions in
# package-lock.json). Installed when npm is present: .ci/run installs it, and without it those
# tests skip locally (and fail under CI=true).
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

ifneq ($(shell command -v npm 2>/dev/null),)
install: $(STAMP) $(NODE_STAMP)
else
install: $(STAMP)
endif

messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore .venv --verbosity 0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

# Refresh the catalogs from the code. No source locations and no creation date, so that a change
# touches only the entries it adds or removes (and parallel branches merge cleanly).
messages-update: install
	$(PY) manage.py makemessages -l kk -l ru -l en --no-location --ignore .venv --ignore node_modules --ignore bench --ignore tests
	sed -i '/^"POT-Creation-Date:/d' locale/*/LC_MESSAGES/django.po

migrate: install
	$(PY) manage.py migrate --noinput

run: install messages migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(BIN)/ruff check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -p randomly -n $(TEST_PROCESSES) --dist loadfile --durations=15 $(PYTEST_ARGS)

# The production stack on loopback ports (nginx, gunicorn x2, PgBouncer, PostgreSQL primary and
# replica, Redis with Sentinel, Celery workers and beat, S3), a scenario and faults: deploy/smoke.py.
smoke: install messages
	DEBUG= $(PY) deploy/smoke.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules db.sqlite3 .pytest_cache .ruff_cache
