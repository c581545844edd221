# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: demo test install lint types pytest screenshots bench bench-schedule bench-apply bench-markdown bench-pages env-file clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# The checkout's development settings, read by every `.venv/bin/cohortkit` run here (the
# environment wins over it). Written once with a fresh secret key, then left as you edit it;
# the demo's emails are written as files to sent-emails/ instead of flooding the terminal.
ENV_FILE ?= .env
env-file:
	@test -f $(ENV_FILE) || { \
	  umask 077; \
	  printf '# Development settings written by `make demo`; never use them in production.\n' > $(ENV_FILE); \
	  printf 'DEBUG=1\nEMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend\n' >> $(ENV_FILE); \
	  $(PYTHON) -c 'import secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50))' >> $(ENV_FILE) \
	  || python3 -c 'import secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50))' >> $(ENV_FILE); \
	  echo "wrote $(ENV_FILE) (DEBUG=1, a new SECRET_KEY, emails to sent-emails/)"; }

# The web server and one background worker (emails, scheduling runs), stopped together.
demo: install env-file
	$(BIN)/cohortkit migrate --noinput
	$(BIN)/cohortkit demo
	$(BIN)/cohortkit worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/cohortkit runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy cohortkit

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types pytest

# The README's pictures, made by the browser tests in real Chromium (docs/screenshots/).
screenshots: install
	COHORTKIT_SCREENSHOTS=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

bench: bench-schedule bench-apply bench-markdown

# Every family and size, 3 seeds (about 25 minutes); BENCH_SCHEDULE_ARGS="--runs full:1000 --seeds 10".
bench-schedule: install
	$(PY) -m cohortkit.scheduling.solver.bench $(BENCH_SCHEDULE_ARGS)

# The Markdown helper on hostile answers at the length cap, beside prose and html.escape.
bench-markdown: install
	$(PY) -m cohortkit.bench.markdown

# A deadline rush against gunicorn and a throwaway PostgreSQL; BENCH_ARGS="--applicants 1000".
bench-apply: install
	scripts/with-postgres $(PY) -m cohortkit.bench.apply $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* staticfiles

# The main pages of a term at 10,000 applicants, behind gunicorn on a throwaway PostgreSQL, beside
# a trivial page; BENCH_PAGES_ARGS="--applicants 1000 --sections 125 --facilitators 80".
bench-pages: install
	scripts/with-postgres $(PY) -m cohortkit.bench.pages $(BENCH_PAGES_ARGS)
