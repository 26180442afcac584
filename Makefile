# Two commands: `make book` builds the site, `make test` runs every check CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

# matplotlib's Agg backend in the environment drops every figure from the pages.
unexport MPLBACKEND
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test lock clean

$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

## book: execute every chapter and build the HTML site into _build/html (warnings are errors)
book: $(READY)
	$(BIN)/jupyter-book build . --all --warningiserror --keep-going
	@echo "Front page: file://$(CURDIR)/_build/html/index.html"

## test: unit tests + every notebook cell (nbval), then the strict book build
test: $(READY)
	$(BIN)/python -m pytest
	$(MAKE) book

## lock: re-pin requirements.txt from the current environment
lock: $(READY)
	{ sed -n '1,2p' requirements.txt; $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > requirements.new
	mv requirements.new requirements.txt

clean:
	rm -rf _build $(VENV)
