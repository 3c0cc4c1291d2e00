# ShiAn: two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SIZE   ?= small
STAMP  := $(VENV)/.installed

.PHONY: demo test install serve lint bench bench-small openapi messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: venv, install, migrate, generate the demo city, print logins, serve on :8000
demo: $(STAMP)
	$(BIN)/shian demo --size $(SIZE)

serve: $(STAMP)
	$(BIN)/shian serve

## make test: lint + the whole suite (SQLite unless SHIAN_DATABASE_URL says otherwise)
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts conftest.py
	$(BIN)/pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts conftest.py
	$(BIN)/ruff format --check src tests benchmarks scripts conftest.py

## make bench: every benchmark at full size (BENCH_SIZE=small for the CI size)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --size $${BENCH_SIZE:-full}

bench-small: $(STAMP)
	$(BIN)/python benchmarks/run.py --size small

## regenerate the committed OpenAPI schema after a deliberate API change
openapi: $(STAMP)
	$(BIN)/shian export_openapi docs/openapi.json

## re-extract and compile the message catalogues (needs GNU gettext for extraction only)
messages: $(STAMP)
	cd src/shian && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=shian.settings --pythonpath=.. -i 'tests/*'
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var
