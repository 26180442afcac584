# Two commands: `make book` builds the site, `make test` runs every check CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
ASSETS := vendor/.ready

# matplotlib's Agg backend in the environment drops every figure from the pages.
unexport MPLBACKEND
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# The chapters multiply small matrices: one BLAS thread is several times faster than two
# fighting over a shared machine (measured on the digits MLP: 17x under load).
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

.PHONY: book test unit lint format install-check lab bench lock clean

$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Front-end files the site serves itself (pinned in package-lock.json): no CDN at read time.
$(ASSETS): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf vendor && mkdir -p vendor/mathjax vendor/widgets
	cp -R node_modules/mathjax/es5/. vendor/mathjax/
	cp node_modules/requirejs/require.js vendor/require.js
	cp node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js vendor/widgets/
	cd node_modules/@jupyter-widgets/html-manager/dist && cp *.woff *.woff2 *.ttf *.eot *.svg ../../../../vendor/widgets/
	touch $@

## book: execute every chapter and build the HTML site into _build/html (warnings are errors)
book: $(READY) $(ASSETS)
	$(BIN)/jupyter-book build . --all --warningiserror --keep-going
	@echo "Front page: file://$(CURDIR)/_build/html/index.html"

## test: the house style (ruff), the strict book build, then one pytest: unit tests, every
## notebook cell (nbval), the built site in headless Chromium, and the live widgets
## (two workers, each test file on one: a notebook keeps its kernel and the browser tests
## overlap the chapters' computation)
test: $(READY) $(ASSETS)
	$(MAKE) lint
	$(MAKE) book
	$(BIN)/python -m pytest -n 2 --dist loadfile

## lint: ruff's formatter and linter (pyproject.toml) over the package, tests, tools and
## the chapters' code cells; `make format` applies the formatter
lint: $(READY)
	$(BIN)/ruff format --check --diff .
	$(BIN)/ruff check .

format: $(READY)
	$(BIN)/ruff format .

## unit: the unit tests of lessons_py alone, in seconds (no build, notebooks or browser)
unit: $(READY)
	$(BIN)/python -m pytest tests --ignore=tests/browser -p no:nbval -o addopts="-p no:cacheprovider"

## install-check: what a reader of the book does on Colab or in a fresh environment:
## install lessons_py from this folder with the "book" extra (not editable, no .venv),
## copy the chapters alone into an empty folder and execute every one. On x86-64 the
## chapters run there on another OpenBLAS kernel (Nehalem's) than the build's, so their
## matrix products round differently: a claim that holds for one rounding only (at the
## edge of stability a trajectory amplifies its last bits) fails here, not on a
## reader's machine
CHECK := _build/install-check
CORETYPE := $(if $(filter x86_64,$(shell uname -m)),OPENBLAS_CORETYPE=Nehalem)
install-check:
	rm -rf $(CHECK) && mkdir -p $(CHECK)/chapters
	$(PYTHON) -m venv $(CHECK)/venv
	$(CHECK)/venv/bin/python -m pip install --quiet --disable-pip-version-check \
	  -c requirements.txt "lessons_py[book] @ file://$(CURDIR)" nbclient ipykernel
	cp book/*.ipynb $(CHECK)/chapters/
	cd $(CHECK) && $(CORETYPE) venv/bin/python $(CURDIR)/tools/run_chapters.py chapters

## lab: JupyterLab on a scratch copy of the chapters (the live widgets need a kernel);
## the copy keeps outputs out of book/, which is committed without them
lab: $(READY)
	mkdir -p _build/lab && cp -u book/*.ipynb _build/lab/
	cd _build/lab && ../../$(BIN)/jupyter lab

## bench: the built site in headless Chromium: page weight and slider move -> new figure (ms)
bench: $(READY)
	$(BIN)/python tools/bench_widgets.py

## lock: re-pin requirements.txt from the current environment
lock: $(READY)
	{ sed -n '1,4p' requirements.txt; $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > requirements.new
	mv requirements.new requirements.txt

clean:
	rm -rf _build $(VENV) vendor node_modules
