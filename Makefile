# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: demo test install lint types pytest screenshots bench bench-schedule bench-apply clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# The web server and one background worker (emails, scheduling runs), stopped together. The
# demo's emails are written as files to sent-emails/ instead of flooding the terminal.
DEMO_ENV = DEBUG=1 EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
demo: install
	$(DEMO_ENV) $(BIN)/cohortkit migrate --noinput
	$(DEMO_ENV) $(BIN)/cohortkit demo
	$(DEMO_ENV) $(BIN)/cohortkit db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/cohortkit runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy cohortkit

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types pytest

# The README's pictures, made by the browser tests in real Chromium (docs/screenshots/).
screenshots: install
	COHORTKIT_SCREENSHOTS=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

bench: bench-schedule bench-apply

# Every family and size, 3 seeds (about 25 minutes); BENCH_SCHEDULE_ARGS="--runs full:1000 --seeds 10".
bench-schedule: install
	$(PY) -m cohortkit.scheduling.solver.bench $(BENCH_SCHEDULE_ARGS)

# A deadline rush against gunicorn and a throwaway PostgreSQL; BENCH_ARGS="--applicants 1000".
bench-apply: install
	scripts/with-postgres $(PY) -m cohortkit.bench.apply $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* staticfiles
