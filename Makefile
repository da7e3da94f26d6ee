# The two commands of the README: `make demo` and `make test` do all set-up on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow lint format

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first: this pinned CPU build lies on disk; a bare `torch` would pull a CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/sdv-attncorr demo

test: install
	$(PY) -m pytest -m 'not slow and not fuzz' -q -p no:cacheprovider

test-slow: install
	$(PY) -m pytest -m 'slow' -q

lint: install
	$(VENV)/bin/ruff check sdv_attncorr tests benchmarks tutorials
	$(VENV)/bin/ruff format --check sdv_attncorr tests benchmarks tutorials
	$(VENV)/bin/mypy sdv_attncorr

format: install
	$(VENV)/bin/ruff format sdv_attncorr tests benchmarks tutorials
	$(VENV)/bin/ruff check --fix sdv_attncorr tests benchmarks tutorials
