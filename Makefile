# The two commands a newcomer runs: `make run` and `make test`.
# Both create .venv when missing and install the project with its test extras.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint bench browser clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

# Chromium for the browser tests comes from Debian (Playwright's own download fails offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); \
	  else echo "chromium missing: run 'sudo apt-get install chromium'"; fi; }

run: install
	$(BIN)/summitwatch run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# One worker per core: every test makes its own databases, ports and folders. worksteal: a
# worker that runs out takes queued tests from the other, so the long ones do not end alone.
test: install browser lint
	$(BIN)/python -m pytest -n auto --dist worksteal --durations=15

# The ids the templates and code use, to compare with the catalogues (tests/test_words.py checks too).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k t -k t.label -k words --no-location --omit-header \
	  -o summitwatch/locale/summitwatch.pot web digests summitwatch

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
