# Two commands do all set-up themselves: `make serve` and `make test`.
# Every step is a file target, so a second run reuses what is installed.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := .deps/stamps
SITE_PACKAGES = $(VENV)/lib/python3.11/site-packages
CHROMIUM := /usr/bin/chromium

export PYTHONHASHSEED := 0
export NO_MKDOCS_2_WARNING := 1
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

# `make edition VERSION=1.0` publishes into this local branch (never pushed from here).
BRANCH ?= gh-pages

.PHONY: setup serve build edition test lint bench clean help

help:
	@echo "make serve  - set up everything, then serve on http://127.0.0.1:8000 with live reload"
	@echo "make test   - set up everything, then lint and run every test"
	@echo "make build  - static site in site/ (mkdocs build --strict)"
	@echo "make edition VERSION=1.0 SITE_URL=https://host/path/ - publish an edition into the local $(BRANCH) branch (mike)"
	@echo "make bench  - benchmarks (bench/), results in bench/out/"
	@echo "make clean  - remove every build output and cache"

setup: $(STAMP)/python $(STAMP)/node $(STAMP)/vendor

$(STAMP)/python: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (the site needs Python 3.11)"; exit 1; }
	@# pymdown-extensions 13 (in the lock) requires 3.11.5; Debian 12's python3.11 is 3.11.2.
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' || { echo "error: $(PYTHON) is $$($(PYTHON) -V 2>&1 | cut -d' ' -f2); the pinned packages need Python 3.11.5 or newer: make ... PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@# Earlier set-ups registered the project by hand, without the RECORD pip needs to replace it.
	@for d in $(SITE_PACKAGES)/cv_chapter_site-*.dist-info; do test -f $$d/RECORD || rm -rf $$d; done
	rm -f $(SITE_PACKAGES)/cv_chapter_site.pth
	@# Editable install (the MkDocs plugins' entry points), offline: the build backend is the
	@# setuptools pinned in the lock, already in the venv.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-index --no-build-isolation --no-deps -e .
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/node: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/vendor: tools/vendor_pyodide.py tools/pyodide_snapshot.cjs tools/numpy_pyc.cjs package-lock.json $(STAMP)/python $(STAMP)/node
	$(PY) tools/vendor_pyodide.py
	@mkdir -p $(STAMP) && touch $@

# Browser tests drive Debian's Chromium; install it when missing and we may.
$(STAMP)/chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "error: $(CHROMIUM) is missing; install it with: sudo apt-get install chromium"; exit 1; fi; \
	fi
	@mkdir -p $(STAMP) && touch $@

# Served at the root of the dev address; site_url names it so instant navigation works.
serve: setup
	SITE_URL=http://127.0.0.1:8000/ $(VENV)/bin/mkdocs serve --strict --dev-addr 127.0.0.1:8000

build: setup
	$(VENV)/bin/mkdocs build --strict

# An edition: built with its number (citations, anchors.json, version selector) and committed
# with mike under <VERSION>/ of $(BRANCH), `latest` moved to it when it is the newest.
# Refuses a placeholder site_url and an edition number that is already published.
edition: setup
	@test -n "$(VERSION)" || { echo "error: give the edition number: make edition VERSION=1.0 [SITE_URL=https://host/path/] [BRANCH=gh-pages]"; exit 2; }
	$(PY) -m textbook.site.publish "$(VERSION)" --branch "$(BRANCH)"

lint: $(STAMP)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup $(STAMP)/chromium lint
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: setup $(STAMP)/chromium
	$(PY) -m bench

# Keeps .cache/vendor/ (the self-hosted Pyodide from set-up: its stamp stays, so a build after
# `make clean` still finds it, offline); distclean removes it with the environments.
clean:
	rm -rf site .site.partial* .site.old .site.lock bench/out .screens .pytest_cache .ruff_cache .hypothesis
	if [ -d .cache ]; then find .cache -mindepth 1 -maxdepth 1 -not -name vendor -exec rm -rf {} +; fi
	find . -name __pycache__ -type d -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules .deps .cache *.egg-info
