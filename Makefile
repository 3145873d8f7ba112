# LAZI — `make demo` to see it work, `make test` to run the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Development defaults only; a real deployment sets its own environment.
export DJANGO_DEBUG ?= true

.PHONY: install demo test lint bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@echo "==> Installing the Python packages into $(VENV) (the first time takes a minute or two)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --progress-bar off -r requirements-dev.txt
	@echo "    installed"
	touch $(STAMP)

install: $(STAMP)

## Set up, start the local ServiceTitan simulator, sync everything, and serve the admin with a printed login.
demo: install
	bash scripts/demo.sh

## Lint, then the whole test suite (SQLite + in-process tasks unless DATABASE_URL / REDIS_URL are set).
test: install lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run >/dev/null

## Benchmarks against the simulator; numbers are printed and belong in README.md.
bench: install
	$(PY) manage.py st_bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* .pytest_cache .ruff_cache
