# The course's commands. Each target installs what it needs, once; run `make help`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888
HUB_PORT ?= 8000
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# Independent prerequisites build side by side: pip, npm and the Chromium check do not wait
# for each other (about 15 s of a fresh `make test`).
# (Not with `clean` among the goals, which must finish before anything is built again.)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
MAKEFLAGS += --jobs=3
endif
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
TESTED_PYTHON := (3, 11)

.PHONY: help lab slides labs update images bench test clean chromium grading hub classsize
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 10

$(STAMP_PY): requirements.txt pyproject.toml
	@command -v python3 >/dev/null || { echo "error: python3 (3.11, the tested version) is needed"; exit 1; }
	@python3 -c 'import sys; sys.exit(sys.version_info[:2] != $(TESTED_PYTHON))' || \
	  echo "warning: python3 is $$(python3 -V 2>&1 | cut -d' ' -f2); the course is tested on Python 3.11 only (README)"
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	@# nbgrader is the instructor's command line (make grading); students' JupyterLab gets no
	@# nbgrader menus or server extensions
	@$(PY) -m jupyter server extension disable --sys-prefix $(foreach e,formgrader validate_assignment \
	  assignment_list course_list,nbgrader.server_extensions.$(e)) >/dev/null 2>&1
	@$(PY) -m jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	@touch $@

# JupyterLab's defaults for the course (offline, RISE's keys and size) and two mends of
# jupyterlab-rise (tools/patch_rise.py says which). Both written anew, never in place.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
STAMP_RISE := $(VENV)/.rise-mended

$(LAB_SETTINGS): tools/jupyterlab-overrides.json $(STAMP_PY)
	@mkdir -p $(@D) && rm -f $@ && cp $< $@

$(STAMP_RISE): tools/patch_rise.py $(STAMP_PY)
	$(PY) tools/patch_rise.py
	@touch $@

$(STAMP_NODE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is needed for the offline slide assets (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:  ## install Debian's Chromium and pdftotext for the browser tests and handouts (as root; else says how)
	@bash tools/ensure_chromium.sh

lab: $(STAMP_PY) $(LAB_SETTINGS) $(STAMP_RISE)  ## start JupyterLab on the course, RISE ready (Alt+R presents); if it already runs, says where
	@$(PY) tools/make_labs.py
	@$(PY) tools/serve_lab.py --port $(PORT) $(ROOT_FLAG) --config="$(CURDIR)/tools/jupyter_server_config.py"

# The decks and the course home are exported again only when something they are made of changed.
SLIDES := build/slides
DECK_SOURCES := $(wildcard lectures/[0-9]*.ipynb images/* course_utils/*.py tools/templates/offline_reveal/*) \
  course.yml tools/export_slides.py

$(SLIDES)/index.html: $(DECK_SOURCES) | $(STAMP_PY) $(STAMP_NODE)
	$(PY) tools/export_slides.py --out $(SLIDES)

slides: $(SLIDES)/index.html  ## execute every lecture, export offline decks and the course home to build/slides/
	@echo "open $(SLIDES)/index.html in a browser: the course home"

.PHONY: handouts
handouts: $(STAMP_PY) $(STAMP_NODE) chromium $(SLIDES)/index.html  ## one PDF per deck in build/slides/handouts/ (NOTES=1: with speaker notes)
	$(PY) tools/make_handouts.py --slides $(SLIDES) $(if $(NOTES),--notes)

labs: $(STAMP_PY)  ## regenerate labs/ from solutions/ (edited labs are kept; FORCE=1 [LAB=03] replaces them after a backup)
	$(PY) tools/make_labs.py $(if $(FORCE),--force) $(if $(LAB),--lab $(LAB))

update: | $(STAMP_PY)  ## update the course with git: never blocks on or overwrites your work (see README)
	$(PY) tools/update_course.py
	@$(MAKE) --no-print-directory labs

images: $(STAMP_PY)  ## redraw every figure in images/
	$(PY) tools/draw_images.py --out images

bench: $(STAMP_PY)  ## run the whole course, time it, write BENCHMARKS.md (DEVICE=cpu|cuda; default CUDA if present)
	$(PY) tools/bench.py $(if $(DEVICE),--device $(DEVICE))

grading: $(STAMP_PY)  ## an nbgrader course folder in build/grading (LAB=01 for one lab); README, "Teaching a class"
	$(PY) tools/grading.py $(if $(LAB),--lab $(LAB))

hub: $(STAMP_PY) $(STAMP_NODE)  ## JupyterHub for a small class on this machine, and the course link (HUB_PORT=8000)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) tools/hub.py --port $(HUB_PORT)

classsize: $(STAMP_PY)  ## size a class from the last make bench (CPU, memory per student) into README
	$(PY) tools/class_size.py

# pytest-xdist workers: each lecture runs once, for its checks and its deck (tests/_decks.py);
# conftest.py keeps each notebook, and each deck-test module, on one worker. MAKEFLAGS is
# emptied for pytest: the makes the tests start are not part of this make's job server.
JOBS ?= 3
TESTS ?= tests solutions
test: $(STAMP_PY) $(STAMP_NODE) $(LAB_SETTINGS) $(STAMP_RISE) chromium  ## everything CI checks (JOBS=3 workers; TESTS= narrows it)
	MAKEFLAGS= $(PY) -m pytest -n $(JOBS) --dist loadscope --no-loadscope-reorder --nbval-lax $(TESTS)

clean:  ## remove build outputs (never labs/ or anything you wrote)
	rm -rf build .pytest_cache
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -not -path "./node_modules/*" -prune -exec rm -rf {} +
