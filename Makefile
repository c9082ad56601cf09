# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
STAMP := $(VENV)/.installed

.PHONY: run serve test lint demo bench screenshots clean

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

## Run the whole test suite
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Benchmarks (see README): time to draw a view; time and memory of the meeting pack;
## import speed and memory with the national dataset (generated into /tmp/national)
bench: $(STAMP)
	$(PY) bench/views.py
	$(PY) bench/pack.py
	$(PY) bench/import.py

## Screenshots of every view at both sizes from a running app (make run first)
screenshots: $(STAMP)
	$(PY) tools/screenshots.py --base http://$(HOST):$(PORT) --out screenshots

## Regenerate the synthetic demo workbooks in data/demo/
demo: $(STAMP)
	$(PY) -m dashboard.demo data/demo

clean:
	rm -rf $(VENV) .pytest_cache
