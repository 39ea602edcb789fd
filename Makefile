# Set-up and the main jobs. `make demo` and `make test` work on a fresh Debian machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Debian packages: chromium (browser tests), CJK fonts (PDFs, charts), poppler (PDF -> PNG),
# pango (WeasyPrint's text layout), fontconfig (fc-match finds the CJK font to subset).
DEB_PACKAGES := chromium fonts-noto-cjk fontconfig poppler-utils libpango-1.0-0 libpangoft2-1.0-0 zbar-tools

.PHONY: setup system-packages demo test check build clean bench

system-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/handbook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

setup: system-packages $(BIN)/handbook

demo: setup
	$(BIN)/handbook demo

test: setup
	$(BIN)/python -m pytest -q

check: setup
	$(BIN)/handbook check

# Company-scale benchmarks (300 projects × 365 days; about 15 min); rewrites bench/RESULTS.md.
bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf public .build-* site/standards site/print site/results site/roles site/checklists build/pdf-cache
