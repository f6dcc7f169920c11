# Two commands on a fresh machine with python3 and make: `make sandbox` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
ARGS   ?=

DIST   ?= dist
# The version is the package's own (pyproject.toml), the one `patientmsg --version` prints.
VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' pyproject.toml)

.PHONY: install sandbox test lint typecheck pytest bench clean dist

# Everything that writes .venv runs under one lock, so `make sandbox &` and `make test` started at once
# never build it twice (flock(2) through python3, which every machine that runs this has).
LOCKED := $(PYTHON) -c 'import fcntl, os, subprocess, sys; fd = os.open(".venv.lock", os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); sys.exit(subprocess.call(sys.argv[1:]))'
PACKAGE_DIRS := console specs fixtures mockserver conformance testing
# Files and folders (a folder changes when a file is added or removed): a change reinstalls.
SOURCES := pyproject.toml README.md $(shell find $(PACKAGE_DIRS) -name __pycache__ -prune -o -print)

install:
	@$(LOCKED) $(MAKE) --no-print-directory $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies are installed once per change of pyproject.toml.
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q ".[dev]"
	touch $@

# The project is installed (not editable) from a copy in a temporary folder: tests run what a user's
# `pip install .` gets; the build's scratch files (build/, *.egg-info) never land in the clone, where a
# stale copy of a moved module would ship; and an unchanged source is never reinstalled under a test
# that is running from it.
$(VENV)/.installed: $(VENV)/.deps $(SOURCES)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  tar -cf - --exclude=__pycache__ pyproject.toml README.md $(PACKAGE_DIRS) | tar -xf - -C "$$tmp" && \
	  $(BIN)/python -m pip install -q --no-deps --no-build-isolation --force-reinstall "$$tmp"
	touch $@

sandbox: install
	$(BIN)/patientmsg serve --host $(HOST) --port $(PORT) $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The tests are checked against the installed package, one folder per run (each has its own conftest);
# what is left out, and why, is listed in pyproject.toml under [tool.mypy].
TYPED_TESTS := tests/sandbox tests/fixtures tests/conformance

typecheck: install
	cd $(VENV) && bin/mypy --config-file ../pyproject.toml -p patientmsg
	for dir in $(TYPED_TESTS); do (cd $(VENV) && bin/mypy --config-file ../pyproject.toml ../$$dir) || exit 1; done
	cd $(VENV) && bin/mypy --config-file ../pyproject.toml $(addprefix ../,$(wildcard tests/*.py))
	cd $(VENV) && MYPYPATH=../examples/client bin/mypy --config-file ../pyproject.toml ../examples/client

# Test files are spread over the cores (a file's tests stay together: its sandbox fixture is per module).
pytest: install
	$(BIN)/pytest -n auto --dist loadfile

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/run.py $(ARGS)

# The wheel the CI recipe (examples/github-actions/conformance.yml) installs. Every version has its
# CHANGELOG section; until its release, its entries are those under [Unreleased].
dist: $(VENV)/.deps
	@grep -Eq '^## \[($(VERSION)|Unreleased)\]' CHANGELOG.md || \
		{ echo "CHANGELOG.md has no section for $(VERSION) (nor [Unreleased]): add it before make dist"; exit 1; }
	rm -rf build $(DIST)/patientmsg-$(VERSION)-*.whl
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w $(DIST) .
	@echo "$(DIST)/patientmsg-$(VERSION)-py3-none-any.whl"

clean:
	rm -rf $(VENV) .venv.lock build $(DIST) *.egg-info .pytest_cache .mypy_cache .ruff_cache
