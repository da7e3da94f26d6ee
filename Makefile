# The two commands of the README: `make demo` and `make test` do all set-up on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow lint format peers

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

# The benchmark's open-source peer, MOSTLY AI's TabularARGN, in a virtualenv of its own (its
# torch/pandas pins differ from ours). torch first (the CPU build); torchvision/torchaudio come
# as CUDA builds that break its import on CPU torch, and the tabular engine never uses them.
PEERS ?= .peers
PEER_PY := $(PEERS)/tabularargn/bin/python
peers: $(PEERS)/tabularargn/.installed

$(PEERS)/tabularargn/.installed:
	test -x $(PEER_PY) || $(PYTHON) -m venv $(PEERS)/tabularargn
	$(PEER_PY) -m pip install --quiet --upgrade pip
	$(PEER_PY) -m pip install --quiet torch==2.13.0
	$(PEER_PY) -m pip install --quiet 'mostlyai-engine>=2.7,<2.8'
	$(PEER_PY) -m pip uninstall --quiet --yes torchvision torchaudio
	touch $@
