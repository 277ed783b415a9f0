# newsdesk: `make run` serves the bundled sample; `make test` runs every test, Elasticsearch included.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export HAYSTACK_TELEMETRY_ENABLED := False

.PHONY: install run test lint es-up es-down browser

install: $(STAMP)

# uv resolves and installs the ~3 GB of torch/CUDA wheels several times faster than pip.
# `newsdesk model` builds the embedding backend's export of the packaged model once (into
# ~/.cache/newsdesk/models), so the first index does not wait for it.
$(STAMP): pyproject.toml
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(PYTHON) -m uv venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(PYTHON) -m uv pip install --quiet --python $(BIN)/python -e '.[test]'
	$(BIN)/newsdesk model
	touch $(STAMP)

# The seed reports are indexed too when the shared data sits beside the checkout (developers).
SEEDS := $(wildcard ../shared/data/seeds)

run: install
	$(BIN)/newsdesk index examples/ $(SEEDS)
	$(BIN)/newsdesk serve --host $(HOST) --port $(PORT)

es-up:
	bash infra/elasticsearch.sh up

es-down:
	bash infra/elasticsearch.sh down

# Debian's Chromium for the real-browser UI test (a Playwright browser download cannot work here).
browser:
	bash infra/install-browser.sh

test: install es-up browser
	$(BIN)/ruff check search indexer api tests benchmarks
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check search indexer api tests benchmarks
	$(BIN)/ruff format --check search indexer api tests benchmarks
