# IPRWatch — `make demo` runs the product on bundled data; `make test` runs the test suite.
# The virtualenv's interpreter: the distribution's Python 3.11+ if it has one (built with
# profile-guided optimisation and LTO), else python3; see scripts/venv-python.
PYTHON ?= $(shell scripts/venv-python)
VENV   ?= .venv
BIN    := $(VENV)/bin
PACKAGES := core crawlers tagger search warning reports api

.PHONY: demo test lint install dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/iprwatch demo

test: dev
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(PACKAGES)

bench: dev
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf var/*.db var/*.db-* var/httpcache
