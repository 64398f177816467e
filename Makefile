# One entry point. `make test` and `make lab` set everything up first (a virtual environment
# in .venv with the versions from pyproject.toml); nothing else needs installing by hand.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# The environment's own, as `activate` sets it: IPython adds $VIRTUAL_ENV's packages to sys.path,
# so another environment activated in the calling shell would leak into the tests' shells.
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
# Python caches the bytecode of what it imports (__pycache__/*.pyc). Some images and CI runners
# set PYTHONDONTWRITEBYTECODE=1: then every process compiles TensorFlow's modules again
# (importing TensorFlow, Keras, SciPy and matplotlib took 14 s instead of 5 s on 2 cores).
unexport PYTHONDONTWRITEBYTECODE
LESSONS := $(notdir $(wildcard solutions/[0-9][0-9]-*))

.PHONY: setup lab test test-unit lint format release outputs hooks bench site new-lesson clean

setup: $(VENV)/.installed $(VENV)/.bytecode

# --no-compile: pip would byte-compile all ~12,500 .py files of the dependencies (TensorFlow's
# alone are thousands) one after the other; Python compiles the modules it imports on first use.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e ".[dev]"
	touch $@

# Bytecode, compiled once here rather than by the first kernels and graders of a test run, all
# at the same time, and by every sandboxed kernel, which cannot write it (the environment is
# read-only inside the sandbox). Two processes, one per core: a kernel importing everything the
# lessons import, TensorFlow included (cnncourse.grader.bytecode), and the tools (Python writes
# each .pyc whole, so a module both import is safe).
$(VENV)/.bytecode: $(VENV)/.installed
	$(BIN)/python -m cnncourse.grader.bytecode $(wildcard course/*/*.ipynb) & kernel=$$!; \
	$(BIN)/python -c "import scipy.signal, scipy.ndimage, matplotlib.pyplot, nbgrader.converters, \
		nbgrader.api, nbclient, ipykernel.kernelapp, nbval, jupyterlab" && wait $$kernel
	touch $@

# JupyterLab as the course ships it: its settings (jupyter/lab-settings/overrides.json: no
# "official Jupyter news?" pop-up, no update check) and, only where the user is root
# (containers, lab images), --allow-root, without which Jupyter refuses to start as root.
LAB_USER_ID ?= $(shell id -u)
LAB_FLAGS = "--LabApp.app_settings_dir=$(CURDIR)/jupyter/lab-settings" \
	$(if $(filter 0,$(LAB_USER_ID)),--allow-root)

## Students: set up and open the course in JupyterLab.
lab: setup
	$(BIN)/jupyter lab $(LAB_FLAGS) course/

## Everyone: lint, execute every master notebook (nbval), prove the grading, unit tests.
## One xdist session for all of it: tests/tiers.py keeps each notebook's cells on one worker
## and hands the longest tests out first (hence --no-loadscope-reorder). CI runs this.
test: setup lint
	CNN_COURSE_MODE=fast $(BIN)/pytest -n auto --dist loadgroup --no-loadscope-reorder \
		--nbval-lax --nbval-current-env solutions tests

## Contributors: the library's unit tests only (no notebook, kernel, nbgrader or browser).
test-unit: setup
	CNN_COURSE_MODE=fast $(BIN)/pytest -p no:xdist -q \
		-m "not slow and not nbgrader and not browser" tests

lint: setup
	$(BIN)/ruff check lib tests benchmarks website solutions course
	$(BIN)/ruff format --check lib tests benchmarks website

format: setup
	$(BIN)/ruff check --fix lib tests benchmarks website
	$(BIN)/ruff format lib tests benchmarks website

## Instructors: regenerate course/ from solutions/ (badges and install cell stamped for this
## version, nbgrader generate_assignment, outputs stripped) and the README's lesson table.
release: setup
	$(BIN)/python -m cnncourse.notebooks stamp solutions/*/*.ipynb
	@for lesson in $(LESSONS); do \
		echo "releasing $$lesson"; \
		$(BIN)/python -m nbgrader generate_assignment $$lesson --force --log-level=WARN || exit 1; \
	done
	$(BIN)/python -m cnncourse.notebooks strip course/*/*.ipynb
	$(BIN)/python -m cnncourse.notebooks table README.md

## Authors: re-run the masters in fast mode and store the outputs nbval checks.
outputs: setup
	@for lesson in $(LESSONS); do \
		echo "recording outputs of $$lesson"; \
		$(BIN)/python -c "from cnncourse import grading; grading.record_checked_outputs('solutions/$$lesson/$$lesson.ipynb')" || exit 1; \
	done
	$(BIN)/python -m cnncourse.notebooks strip solutions/*/*.ipynb

## Authors: start a lesson, `make new-lesson 10-detection` (TITLE="Object detection" to name
## it): a master with one small exercise, its mistakes and alternatives, released, in the
## README's table; every check passes on it untouched (cnncourse.scaffold, CONTRIBUTING.md).
ifeq (new-lesson,$(firstword $(MAKECMDGOALS)))
NEW_LESSON := $(word 2,$(MAKECMDGOALS))
$(eval $(NEW_LESSON):;@:)
endif
new-lesson: setup
	@test -n "$(NEW_LESSON)" || { echo "usage: make new-lesson NN-slug [TITLE=...]" >&2; exit 2; }
	$(BIN)/python -m cnncourse.scaffold $(NEW_LESSON) $(if $(TITLE),--title "$(TITLE)")

## Contributors: strip notebooks and lint on every commit (pre-commit, see .pre-commit-config.yaml).
hooks: setup
	$(BIN)/pre-commit install

## Everyone: measure (benchmarks/), then rebuild the tables of docs/benchmarks.md.
bench: setup
	$(BIN)/python -m benchmarks $(ONLY)

## Everyone: the course website in website/_build/html (lessons from course/, figures from
## solutions/ run in CNN_COURSE_MODE, default cpu; `python website/build.py --help`).
site: setup
	$(BIN)/python website/build.py $(SITE_ARGS)

clean:
	rm -rf $(VENV) gradebook.db submitted autograded feedback .pytest_cache website/_build
