# Two commands do all set-up on a fresh machine:
#   make demo   fix the bundled samples (text, scans and PDFs) into out/samples
#   make test   run the test suite
# Both create .venv with the package (which compiles the C++ engine in native/) and install
# Debian's g++, python3-dev, tesseract-ocr + tesseract-ocr-swe when they are missing (apt-get,
# as root, or through sudo).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TESSERACT_PACKAGES := tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng
BUILD_PACKAGES := g++ python3-dev

.PHONY: demo test venv build-deps system-deps bench data clean

venv: build-deps $(VENV)/.installed

# (the engine is compiled by this install: a changed C++ file installs again)
$(VENV)/.installed: pyproject.toml setup.py $(wildcard native/*.cpp native/*.hpp)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# the engine (native/) is C++: pip compiles it with g++ against the interpreter's headers
build-deps:
	@if command -v g++ >/dev/null 2>&1 && $(PYTHON) -c "import os, sysconfig; \
	    raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"; \
	  then :; else \
	  echo "Installing $(BUILD_PACKAGES) (Debian packages)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BUILD_PACKAGES); \
	fi

system-deps:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx swe \
	    && tesseract --list-langs 2>/dev/null | grep -qx eng; then :; else \
	  echo "Installing $(TESSERACT_PACKAGES) (Debian packages)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TESSERACT_PACKAGES); \
	fi

demo: venv system-deps
	rm -rf out/samples
	$(VENV)/bin/svfix batch samples/text out/samples/text
	$(VENV)/bin/svfix batch samples/legacy out/samples/legacy
	$(VENV)/bin/svfix batch samples/scans out/samples/scans --ocr
	@echo
	@echo "== broken inputs are reported one line each, and the rest goes on =="
	-$(VENV)/bin/svfix ocr samples/faulty/*.pdf samples/faulty/*.png samples/faulty/*.tif --out out/samples/faulty
	@echo
	@echo "== a damaged sample, word by word: [-OCR-]{+svfix+} =="
	$(VENV)/bin/svfix fix --diff samples/text/kallelse-ocr.ocr.txt | head -25

test: venv system-deps
	$(PY) -m pytest -q

bench: venv system-deps
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m benchmarks.accuracy
	$(PY) -m benchmarks.speed

clean:
	rm -rf out .pytest_cache .hypothesis build
