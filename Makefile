# ShiAn: two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SIZE   ?= small
STAMP  := $(VENV)/.installed

.PHONY: browser demo test install serve serve-production worker lint bench bench-small loadtest openapi messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: venv, install, migrate, generate the demo city, print logins, serve on :8000
demo: $(STAMP)
	$(BIN)/shian demo --size $(SIZE)

## make serve: the development server (runserver) with the background worker beside it
serve: $(STAMP)
	$(BIN)/shian serve

## make serve-production: gunicorn + WhiteNoise, DEBUG off, worker beside it (loopback unless SHIAN_PROFILE=production)
serve-production: $(STAMP)
	$(BIN)/shian serve --production

## make worker: the background task worker in the foreground
worker: $(STAMP)
	$(BIN)/shian worker

## make test: lint + the whole suite (SQLite unless SHIAN_DATABASE_URL says otherwise); the browser tests
## (tests/browser) run when chromium is installed (`make browser` installs it with apt), else they are skipped
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts conftest.py
	$(BIN)/pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS)

## make fuzz: schemathesis over the whole OpenAPI, in-process, ≥ 100 examples per operation (tests/test_api_fuzz.py;
## `make test` runs the same test with 8): 0 server errors, 0 schema violations, 0 undeclared status codes
.PHONY: fuzz
fuzz: $(STAMP)
	SHIAN_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} $(BIN)/pytest -q -n 2 tests/test_api_fuzz.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts conftest.py
	$(BIN)/ruff format --check src tests benchmarks scripts conftest.py

## make bench: every benchmark at full size (BENCH_SIZE=small for the CI size)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --size $${BENCH_SIZE:-full}

bench-small: $(STAMP)
	$(BIN)/python benchmarks/run.py --size small

## make loadtest: production vs development server on loopback, 1/8/32 users (LOAD_SIZE=small for a quick one)
loadtest: $(STAMP)
	$(BIN)/python benchmarks/load.py --size $${LOAD_SIZE:-city}

## regenerate the committed OpenAPI schema after a deliberate API change
openapi: $(STAMP)
	$(BIN)/shian export_openapi docs/openapi.json

## re-extract and compile the message catalogues (needs GNU gettext for extraction only)
messages: $(STAMP)
	cd src/shian && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=shian.settings --pythonpath=.. -i 'tests/*'
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var

## make browser: Debian's chromium and CJK fonts for the browser tests (apt; needs root or sudo)
browser:
	@dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
	  || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }; }
