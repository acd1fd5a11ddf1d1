# medialens — every set-up step lives here, so a fresh clone needs only Python 3.11 and make.
# `make` alone lists the targets.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PARAMS ?= corpus/seeds.params.yaml
UV_VERSION := 0.13.8
CHROMIUM ?= /usr/bin/chromium
# Pinned threads and hashing: identical numbers in every run (see medialens.report.DETERMINISTIC_ENV)
export PYTHONHASHSEED = 0
export OMP_NUM_THREADS = 1
export OPENBLAS_NUM_THREADS = 1
export MKL_NUM_THREADS = 1
export SOURCE_DATE_EPOCH = 1640995200
export MPLBACKEND = Agg
export TQDM_DISABLE = 1

.DEFAULT_GOAL := help
.PHONY: help venv report test unit nbval store lint bench lab test-browser clean spark test-spark

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "medialens needs Python >= 3.11, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

venv: $(VENV)/.installed ## create .venv and install the locked dependencies and medialens

spark: $(VENV)/.installed ## add the optional Spark engine (pyspark, pinned in requirements-spark.lock; needs Java 17+)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c requirements-spark.lock -e ".[spark]"

test-spark: spark ## the Spark engine's tests (tests/test_spark.py: one local[2] session, equality with in-memory)
	$(BIN)/python -m pytest tests/test_spark.py -q

report: $(VENV)/.installed ## render the full report on the seed corpus into reports/seeds/
	$(BIN)/medialens report $(PARAMS)

test: $(VENV)/.installed ## run every test: unit tests and nbval over notebooks/
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

unit: $(VENV)/.installed ## unit tests only (fast)
	$(BIN)/python -m pytest -n 2 --dist loadfile tests

nbval: $(VENV)/.installed ## nbval over notebooks/ only
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

store: $(VENV)/.installed ## re-run notebooks with their defaults and store outputs for nbval
	$(BIN)/medialens store-outputs

lint: $(VENV)/.installed ## ruff over src/, tests/, benchmarks/ and notebooks/
	$(BIN)/ruff check src tests benchmarks notebooks

bench: $(VENV)/.installed ## speed and memory benchmarks (prints figures; SIZES=1000,10000,100000)
	$(BIN)/python benchmarks/run.py $(if $(SIZES),--sizes $(SIZES),)

lab: $(VENV)/.installed ## JupyterLab on working copies in work/ (ARGS="--no-browser --port 9999")
	TQDM_DISABLE= $(BIN)/medialens lab $(ARGS)

test-browser: $(VENV)/.installed ## JupyterLab driven in Chromium: Run All on working copies (installs chromium as root)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium (apt-get install -y chromium) ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "make test-browser needs $(CHROMIUM): install Debian's chromium (sudo apt-get install chromium)" >&2; exit 1; fi; }
	MEDIALENS_BROWSER_TEST=1 MEDIALENS_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -p no:cacheprovider -v tests/browser

clean: ## remove reports/, tables/, caches and .venv
	rm -rf reports tables .cache .pytest_cache $(VENV)
