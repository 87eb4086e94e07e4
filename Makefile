# Lantern: `make run` opens the app, `make test` runs the suite. Both set up .venv first.
ifeq ($(shell uname -s),Darwin)
GPU ?= metal
endif
GPU ?= cpu
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.bootstrap-$(GPU)

# Re-resolve requirements.lock (README "Set-up"), install it, rebuild the bundle, run every test:
# `make lock` keeps the pins that still fit pyproject.toml, `make upgrade` takes the newest.
.PHONY: setup lock upgrade run cli-demo test test-fast lint bench compare install-desktop dist test-dist clean

$(STAMP): pyproject.toml requirements.lock scripts/bootstrap.sh
	bash scripts/bootstrap.sh $(GPU)
	rm -f $(VENV)/.bootstrap-*
	touch $@

setup: $(STAMP)

lock: setup
	bash scripts/lock.sh $(LOCK_ARGS)
	$(MAKE) setup
	bash scripts/dist.sh --force
	$(MAKE) test test-dist

upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

run: setup
	HF_HUB_OFFLINE=1 $(PY) -m desktop

cli-demo: setup
	HF_HUB_OFFLINE=1 $(PY) -m core.cli demo

test: lint
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests

# the fast tier on every core (pytest-xdist): ~27 s on 2 quiet cores, ~43 s in one process
test-fast: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(PY) -m pytest -q -n auto -m "not e2e" tests

# ruff, mypy (config in pyproject.toml), the import contracts (layers inside core) and the
# checks import-linter cannot make (scripts/check_structure.py: no import cycle in core counting
# every import statement; the front ends import only core's public API; SQL only in the store's
# modules; no class over 300 lines)
lint: setup
	$(VENV)/bin/ruff check core desktop tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_structure.py

bench: setup
	$(PY) bench/ingest.py
	$(PY) bench/ask.py

# Lantern against the LangChain recipe (bench/README.md); LLM=subset|cq|all|none
compare: setup
	$(VENV)/bin/pip install -q -e '.[bench]' torch==2.13.0
	$(PY) bench/compare.py --llm $(or $(LLM),subset)

install-desktop: setup
	bash scripts/install-desktop.sh

# A self-contained Lantern for this platform (PyInstaller; README "Installable app"):
# dist/Lantern-VERSION-linux-ARCH.tar.gz and dist/lantern_VERSION_amd64.deb on Linux.
# A build of the same tree is reused; `bash scripts/dist.sh --force` rebuilds.
dist: setup
	bash scripts/dist.sh

# The bundle on its own: unpacked into an empty folder, no Python on PATH, network blocked,
# add + ask with a citation, and a window titled Lantern under Xvfb within 10 s; as root, the
# .deb installed, its `lantern --version` and menu command run, then removed.
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
test-dist: dist
	LANTERN_BUNDLE=dist/Lantern-$(VERSION)-linux-$(shell uname -m).tar.gz \
	LANTERN_DEB=dist/lantern_$(VERSION)_amd64.deb \
	  $(PY) -m pytest -q -p no:cacheprovider -m dist tests/dist

clean:
	rm -rf $(VENV) .pytest_cache build dist
