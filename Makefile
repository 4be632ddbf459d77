# make run  - set up from a fresh clone and serve the demo on http://127.0.0.1:8000 (SQLite).
# make test - set up and run ruff, Django's checks, the migrations check and the whole suite.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

# A local run needs no secrets; production sets SECRET_KEY and DEBUG stays off.
export DEBUG ?= 1

.PHONY: run test install migrate messages lint worker beat bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore .venv --verbosity 0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

migrate: install
	$(PY) manage.py migrate --noinput

run: install messages migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(BIN)/ruff check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
