# The project's commands. `make demo` and `make test` work on a fresh machine with Python 3.11.
VENV ?= .venv
SAMPLE := seeds/000_918e6d9692383a64.txt
export VENV

.PHONY: setup demo test lint cassettes bench quality injection clean

setup:
	./scripts/setup.sh

demo: setup
	$(VENV)/bin/briefing generate $(SAMPLE)

test: setup
	$(VENV)/bin/python -m pytest

lint: setup
	$(VENV)/bin/ruff check briefing tests
	$(VENV)/bin/mypy

cassettes:
	EXTRAS=local,test,server ./scripts/setup.sh
	./scripts/record_cassettes.sh

bench: setup
	$(VENV)/bin/python bench/bench.py all

quality: setup
	$(VENV)/bin/python bench/quality.py

injection: setup
	$(VENV)/bin/python bench/injection.py

clean:
	rm -rf $(VENV) build *.egg-info
