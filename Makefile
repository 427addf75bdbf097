# Two commands for a fresh machine: `make run` (install + open the app), `make test` (install + run every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# A pinned torch/torchvision pair installs first so pip never resolves a multi-GB build on its own.
# Users with a CUDA/ROCm/MPS machine may override it: make run TORCH="torch torchvision".
TORCH ?= torch==2.14.1 torchvision==0.29.1

.PHONY: run test install lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m studio $(ARGS)

test: install
	$(VENV)/bin/python -m pytest -q

lint: install
	$(VENV)/bin/ruff check studio tests bench main.py
	$(VENV)/bin/ruff format --check studio tests bench main.py
	$(VENV)/bin/lint-imports

bench: install
	for script in bench/*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
