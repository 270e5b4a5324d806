# Two commands on a fresh machine: `make demo` runs the app, `make test` runs every test.
# Both create and fill .venv when it is missing or pyproject.toml changed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Most tests wait on ptys, simulated calls and timers rather than compute: four workers halve
# the wall time even on two cores. `make test PYTEST_WORKERS=0` runs them in one process.
PYTEST_WORKERS ?= 4

.PHONY: demo test bench lint clean fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# `make demo` runs the window on the simulated handset; `make demo PORT=/dev/ttyUSB0` on a real one.
demo: $(STAMP)
ifdef PORT
	$(BIN)/fieldapp --port $(PORT) $(ARGS)
else
	$(BIN)/fieldapp demo $(ARGS)
endif

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# A longer fuzz of every family's parsers (time per line bounded, issue 16); not in `make test`.
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	FIELDAPP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n 0 -q \
		tests/drivers/test_parser_time.py -k bounded_time

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
