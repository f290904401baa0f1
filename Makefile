# The habits: `make demo` and `make test` set everything up on a machine with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format screenshots bench clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run, about 30 s)…"
	@echo "  creating the virtual environment"
	@$(PYTHON) -m venv $(VENV)
	@echo "  updating pip"
	@$(BIN)/python -m pip install -qq --upgrade pip
	@echo "  installing warroom and its test tools"
	@$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)
	@echo "Done. To type warroom commands yourself: . $(VENV)/bin/activate"

demo: $(STAMP)
	$(BIN)/warroom demo

test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check warroom tests benchmarks scripts
	$(BIN)/ruff format --check warroom tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format warroom tests benchmarks scripts
	$(BIN)/ruff check --fix warroom tests benchmarks scripts

screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots screenshots

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
