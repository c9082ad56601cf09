# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
STAMP := $(VENV)/.installed
# Python may keep compiled modules (also pytest's rewritten test modules): without them every
# test process compiles dash, plotly and the tests anew (about 10 s each run).
unexport PYTHONDONTWRITEBYTECODE
# axe-core for the accessibility test (tests/browser/test_a11y.py), pinned in package-lock.json
AXE := node_modules/axe-core/axe.min.js

.PHONY: run serve worker test test-fast lint demo load-demo bench screenshots clean cli js catalogues

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,server]'
	touch $(STAMP)

## Serve the dashboard (loads the demo data on first start) on http://$(HOST):$(PORT)
run: $(STAMP)
	$(PY) app.py --host $(HOST) --port $(PORT)

## Serve a team: gunicorn with several workers (DATABASE_URL, WORKERS, HOST, PORT)
serve: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py dashboard.wsgi:server

## With REDIS_URL: the Celery worker that makes meeting packs (run on one or more machines)
WORKER_CONCURRENCY ?= 4
worker: $(STAMP)
	$(VENV)/bin/celery -A dashboard.worker worker --loglevel=INFO \
		--concurrency=$(WORKER_CONCURRENCY)

## Run the whole test suite (TEST_WORKERS processes, each file's tests in one of them):
## PostgreSQL, Redis and Chromium included (a missing one is named at the end; fails in CI)
TEST_WORKERS ?= 2
test: $(STAMP) js
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## The fast tier (under a minute): pure functions, the repository on SQLite, the command
## line in-process; no browser, PostgreSQL, Redis or process of its own (tests/conftest.py
## marks those "slow" by what they use). Without dash's own pytest plugin: it serves the
## browser tests only, and loading it (selenium and its kin) costs each worker a second.
test-fast: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist load -m "not slow" -p no:dash -q $(PYTEST_ARGS)

## The command line without activating the environment: make cli ARGS="kpis --agreement ID --period 2023"
cli: $(STAMP)
	$(PY) -m dashboard $(ARGS)

## Test-only JavaScript (axe-core) from the npm registry, as pinned; skipped without npm
## (the accessibility test then skips, or fails in CI)
js:
	@if [ -f $(AXE) ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility test will be skipped (apt-get install npm)"; fi

## Compile the text catalogues (dashboard/locale/*/LC_MESSAGES/messages.po -> .mo, committed)
catalogues: $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -d dashboard/locale -D messages

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Benchmarks (see README): figures of a view; time to draw a view; the meeting pack;
## import speed and memory with the national dataset (generated into /tmp/national)
bench: $(STAMP)
	$(PY) bench/figures.py
	$(PY) bench/views.py
	$(PY) bench/pack.py
	$(PY) bench/import.py
	$(PY) bench/jobs.py
	$(PY) bench/serve.py

## Screenshots of every view at both sizes from a running app (make run first)
screenshots: $(STAMP)
	$(PY) tools/screenshots.py --base http://$(HOST):$(PORT) --out screenshots

## Import the demo workbooks into the database (DATABASE_URL; make run does it when empty)
load-demo: $(STAMP)
	@for f in data/demo/*.xlsx; do $(PY) -m dashboard import "$$f" || exit 1; done

## Regenerate the synthetic demo workbooks in data/demo/
demo: $(STAMP)
	$(PY) -m dashboard.data.demo data/demo

clean:
	rm -rf $(VENV) .pytest_cache node_modules
