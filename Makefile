# Two commands on a fresh machine with python3 and make: `make sandbox` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
ARGS   ?=

.PHONY: install sandbox test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies are installed once per change of pyproject.toml; the project itself is
# reinstalled every time (non-editable), so tests run what a user's `pip install .` gets.
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q ".[dev]"
	touch $@

install: $(VENV)/.deps
	@# setuptools' build/ keeps modules that were moved or deleted: start from an empty one.
	rm -rf build
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation --force-reinstall .

sandbox: install
	$(BIN)/patientmsg serve --host $(HOST) --port $(PORT) $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	cd $(VENV) && bin/mypy --config-file ../pyproject.toml -p patientmsg

pytest: install
	$(BIN)/pytest

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
