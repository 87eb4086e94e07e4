# Lantern: `make run` opens the app, `make test` runs the suite. Both set up .venv first.
GPU ?= cpu
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.bootstrap-$(GPU)

.PHONY: setup run cli-demo test test-fast lint bench compare install-desktop clean

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh $(GPU)
	rm -f $(VENV)/.bootstrap-*
	touch $@

setup: $(STAMP)

run: setup
	HF_HUB_OFFLINE=1 $(PY) -m desktop

cli-demo: setup
	HF_HUB_OFFLINE=1 $(PY) -m core.cli demo

test: lint
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests

test-fast: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not e2e" tests

# ruff, mypy on core/ (config in pyproject.toml) and the import contracts (layers inside core;
# desktop uses only core's public API)
lint: setup
	$(VENV)/bin/ruff check core desktop tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: setup
	$(PY) bench/ingest.py
	$(PY) bench/ask.py

# Lantern against the LangChain recipe (bench/README.md); LLM=subset|cq|all|none
compare: setup
	$(VENV)/bin/pip install -q -e '.[bench]' torch==2.13.0
	$(PY) bench/compare.py --llm $(or $(LLM),subset)

install-desktop: setup
	bash scripts/install-desktop.sh

clean:
	rm -rf $(VENV) .pytest_cache
