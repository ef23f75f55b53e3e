# Two entry points, each enough on a fresh machine:
#   make certify   -> installs into .venv if needed, then runs `lrtcheck certify --tier quick --out reports/quick --force`
#                     (--force: the previous quick report is replaced, atomically, by the new one)
#   make test      -> installs into .venv if needed, then runs the whole test suite (the CI gate)
# On a CPU-only machine torch is pinned to the local CPU build (constraints/cpu.txt); on a CUDA machine run
# `make test TORCH_CONSTRAINTS=` to let pip pick the CUDA build.

PYTHON ?= python3
VENV ?= .venv
TORCH_CONSTRAINTS ?= constraints/cpu.txt
PY := $(VENV)/bin/python
STAMP := $(VENV)/.lrtcheck-installed
THREADS := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PYTEST_WORKERS ?= 2

.PHONY: install certify test full bench clean

$(STAMP): pyproject.toml $(TORCH_CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(if $(TORCH_CONSTRAINTS),-c $(TORCH_CONSTRAINTS)) -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

certify: $(STAMP)
	$(THREADS) $(VENV)/bin/lrtcheck certify --tier quick --out reports/quick --force

full: $(STAMP)
	$(VENV)/bin/lrtcheck certify --tier full --out reports/full --force --progress

test: $(STAMP)
	@$(THREADS) $(PY) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider --lrtcheck-report reports/pytest; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

bench: $(STAMP)
	$(THREADS) $(VENV)/bin/lrtcheck bench

clean:
	rm -rf $(VENV) reports/quick reports/pytest .pytest_cache .hypothesis
