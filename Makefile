# Guanxi: `make run` starts the suite, `make test` runs every test. Both need only Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := shared shared/testing services/customer-registry services/segmentation services/engagement \
            services/needs gateway
STAMP := $(VENV)/.installed

.PHONY: run test lint bench fuzz install clean

$(STAMP): $(foreach p,$(PACKAGES),$(p)/pyproject.toml) requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  (echo "Guanxi needs Python 3.11 or newer" && exit 1)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(foreach p,$(PACKAGES),-e $(p)) -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) scripts/run.py

test: $(STAMP)
	$(PY) scripts/test.py

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	$(PY) bench/run.py $(ARGS)

fuzz: $(STAMP)
	GUANXI_FUZZ_EXAMPLES=25 GUANXI_FUZZ_SEEDS=1,2 $(PY) scripts/test.py tests/test_fuzz.py

clean:
	rm -rf $(VENV) data
