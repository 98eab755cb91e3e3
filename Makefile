# One command each, the same locally and in CI. `make run` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast faults check lint format typecheck content-report bench relevance clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## serve pages and API on http://127.0.0.1:8000 (SQLite + embedded search, demo accounts)
	KB_DEMO=1 $(BIN)/kb serve

# The suite's processes (pytest-xdist); each makes its own databases, so they never meet.
TEST_WORKERS ?= 2

test: $(STAMP)  ## the whole suite (PostgreSQL too when KB_TEST_DATABASE_URL is set)
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

test-fast: $(STAMP)  ## the suite without the slow parts: no browser, no PostgreSQL, no served processes
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) -m "not browser and not postgres and not served"

faults: $(STAMP)  ## the fault suite: killed workers and kb index, database/Redis outages, full disk
	$(BIN)/pytest -q -p no:cacheprovider -m faults tests/faults

lint: $(STAMP)  ## format check, ruff, and the layering contracts (import-linter, pyproject.toml)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(STAMP)  ## mypy --strict on src/ (settings in pyproject.toml)
	$(BIN)/mypy

check: lint typecheck test  ## format check, lint, layering, type check, tests

content-report: $(STAMP)  ## per entry sources, verification, ratings with validity; totals (docs/content-report.md)
	$(BIN)/kb report content --output docs/content-report.md

bench: $(STAMP)  ## search benchmark; figures land in bench/results/ (needs wrk and Datasette)
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/pip install --quiet 'datasette>=0.65,<1'
	$(BIN)/python -m bench.run

# The app compiles each catalogue when it starts; `compile` here only checks them and counts.
translations: $(STAMP)  ## extract the pages' texts, update each language's catalogue (src/kb/translations)
	$(BIN)/pybabel extract -F src/kb/translations/babel.cfg --no-location --sort-output --omit-header -o src/kb/translations/messages.pot .
	$(BIN)/pybabel update -i src/kb/translations/messages.pot -d src/kb/translations --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile --statistics -o /tmp/kb-translations-check.mo -l en -i src/kb/translations/en/LC_MESSAGES/messages.po

relevance: $(STAMP)
	$(BIN)/python -m bench.relevance

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
