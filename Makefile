# Two commands on a fresh machine: `make demo` runs the app, `make test` runs every test.
# Both create and fill .venv when it is missing or pyproject.toml changed (or setup.py, or the
# compiled parts fieldapp/store/_rowpack.c and logs/_nemoline.c, which the editable install builds in place).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Most tests wait on ptys, simulated calls and child processes rather than compute (about half
# the wall time is CPU): four workers beat two even on two cores (measured on 2 cores, issue 11:
# 174 s with 4, 251 s with 2). `make test PYTEST_WORKERS=0` runs them in one process.
PYTEST_WORKERS ?= 4

.PHONY: demo test bench lint clean preflight fuzz dist smoke-wheel bundle

# A half-made .venv (no python, or a python without pip: what `python3 -m venv` leaves when
# python3-venv is missing) is removed here, before make looks at the stamp, so it is rebuilt.
ifneq ($(wildcard $(VENV)),)
$(shell $(PY) fieldapp/syscheck.py --venv $(VENV) >&2)
endif

# Before the venv: python3-venv, the shared libraries Qt needs (more for the window than for
# headless commands and tests) and fonts. As root they are installed with apt-get; otherwise
# the one apt-get line is printed and make stops. FIELDAPP_NO_APT=1: never run apt-get.
NEED ?= headless
demo: NEED = window
preflight:
	@$(PY) fieldapp/syscheck.py --need $(NEED) --venv $(VENV) $(if $(FIELDAPP_NO_APT),--no-install)

$(STAMP): pyproject.toml setup.py fieldapp/store/_rowpack.c logs/_nemoline.c | preflight
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@# the compiled parts are optional (setup.py): say so when the install went on without them
	@$(BIN)/python -c "from fieldapp import doctor; from fieldapp.store.rows import PACKING; \
	  from logs.nemo_fast import READING; import platform; \
	  [print('note:', c.detail, '--', c.fix or '') for c in (doctor.store_check(PACKING, platform.system()), \
	   doctor.compiled_part_check(doctor.NEMO_PART, READING, platform.system())) if c.status != 'ok']" || true
	touch $(STAMP)

# `make demo` runs the window on the simulated handset; `make demo PORT=/dev/ttyUSB0` on a real one.
demo: preflight $(STAMP)
ifdef PORT
	$(BIN)/fieldapp --port $(PORT) $(ARGS)
else
	$(BIN)/fieldapp demo $(ARGS)
endif

test: preflight $(STAMP)
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

# `make dist`: the wheel and the sdist in dist/. drivers, logs and ui go inside the fieldapp
# package (setup.py), so the wheel puts only `fieldapp` at the top of site-packages.
dist: $(STAMP)
	rm -rf dist build/lib build/bdist.*
	$(BIN)/python -m pip install -q 'build>=1.0'
	mkdir -p build
	$(BIN)/python -m build --outdir dist . > build/dist.log 2>&1 || { tail -40 build/dist.log; false; }
	ls -l dist

# `make smoke-wheel`: the wheel installed in a clean venv, then the smoke round of
# packaging/smoke.py (--version, doctor --json, simulate --tcp/probe/record/export/report).
WHEEL_VENV := build/wheel-venv
smoke-wheel: dist
	rm -rf $(WHEEL_VENV)
	$(PY) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install -q dist/fieldapp-*.whl
	$(PY) packaging/smoke.py $(WHEEL_VENV)/bin/fieldapp \
	    --site-packages "$$($(WHEEL_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

# `make bundle`: a one-folder desktop bundle (PyInstaller) in dist/fieldapp/, smoke-tested.
# Built in its own venv (the app's dependencies + PyInstaller, not fieldapp itself: the bundle
# takes the source tree). The same spec makes the Windows bundle: see README.
BUNDLE_VENV := build/bundle-venv
bundle: preflight
	test -x $(BUNDLE_VENV)/bin/python || $(PY) -m venv $(BUNDLE_VENV)
	$(BUNDLE_VENV)/bin/python -m pip install -q . 'pyinstaller>=6' 'setuptools>=77'
	$(BUNDLE_VENV)/bin/python -m pip uninstall -q -y fieldapp
	# the compiled parts (the store's packer, the Nemo reader), built into the source tree the
	# bundle takes (optional: without a C compiler the bundle runs their Python code; its doctor
	# says so). setuptools >= 77 reads pyproject.toml's licence field (a venv's own is older).
	$(BUNDLE_VENV)/bin/python setup.py -q build_ext --inplace || echo "no compiled parts in the bundle (no C compiler?)"
	rm -rf dist/fieldapp build/fieldapp
	$(BUNDLE_VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
	    packaging/fieldapp.spec
	$(PY) packaging/smoke.py dist/fieldapp/fieldapp

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
