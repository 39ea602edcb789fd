# Set-up and the main jobs. `make demo`, `make serve` and `make test` work on a fresh Debian 12 machine.
# Each step prints one Chinese line; the tools' own output goes to .venv/install.log (shown on failure).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LOG    := $(VENV)/install.log
DEMO_STORE := data/demo/demo.sqlite
PORT   ?= 8000
# `make test` lints and type-checks before the tests (rules and checked files in pyproject.toml)
RUFF   := $(BIN)/ruff check generator tests bench
MYPY   := $(BIN)/mypy
# Debian packages: python3 and python3-venv (the virtual environment and its pip), ca-certificates (pip
# over HTTPS), chromium (browser tests), CJK fonts (PDFs, charts), poppler (PDF -> PNG), pango (WeasyPrint's
# text layout), fontconfig (fc-match finds the CJK font to subset), zbar-tools (tests decode the QR codes).
DEB_PACKAGES := python3 python3-venv ca-certificates chromium fonts-noto-cjk fontconfig poppler-utils \
                libpango-1.0-0 libpangoft2-1.0-0 zbar-tools

.PHONY: setup system-packages demo serve test check build clean bench

system-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing（首次约需几分钟）……"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  if [ -n "$$SUDO" ] && ! command -v sudo >/dev/null; then \
	    echo "需要 root 权限安装：请用 root 运行 make，或先安装 sudo"; exit 1; fi; \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; } \
	    >/tmp/handbook-apt.log 2>&1 || { cat /tmp/handbook-apt.log; echo "安装系统软件包失败（见上面的输出）"; exit 1; }; \
	fi

# uv installs the releases pip would (the same versions, compared with pip freeze) in 9 s with an empty cache,
# where pip takes 26 s with a warm one; pip does it when uv cannot be had.
EXTRAS := -e '.[test,zensical,bench]'
$(BIN)/handbook: pyproject.toml
	@echo "安装 Python 依赖到 $(VENV)/（首次约需几分钟）……"
	@mkdir -p $(VENV)
	@{ $(PYTHON) -m venv $(VENV) && { { $(BIN)/pip install -q 'uv>=0.5,<1' \
	   && $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python $(EXTRAS); } \
	   || { $(BIN)/pip install -q --upgrade pip && $(BIN)/pip install -q $(EXTRAS); }; }; } >$(LOG) 2>&1 \
	   || { tail -n 40 $(LOG); echo "安装 Python 依赖失败（完整输出见 $(LOG)）"; exit 1; }
	@touch $@

setup: system-packages $(BIN)/handbook

demo: setup
	@$(BIN)/handbook demo

$(DEMO_STORE):
	@$(MAKE) --no-print-directory demo

# The demo site with its results: serves the demo store (built by `make demo` when missing).
serve: setup $(DEMO_STORE)
	@echo "打开 http://127.0.0.1:$(PORT)/ 查看演示网站（Ctrl+C 停止）……"
	@$(BIN)/handbook serve --store $(DEMO_STORE) --port $(PORT)

# pytest-xdist, each test file on one worker so its fixtures are built once, one worker more than the cores:
# tests spend a third of their time waiting on browsers, servers and `handbook` processes, and the extra
# worker fills it (2 cores: 332 s with 2 workers, 283 s with 3). The inner loop, without full site builds,
# browsers and real processes: $(BIN)/python -m pytest -m "not slow" (one to one and a half minutes).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: setup
	@echo "代码检查（ruff）和类型检查（mypy）……"
	@$(RUFF) --quiet >$(VENV)/lint.log 2>&1 || { cat $(VENV)/lint.log; echo "代码检查（ruff）未通过：问题见上面的输出，或运行 $(RUFF) 查看"; exit 1; }
	@$(MYPY) >$(VENV)/lint.log 2>&1 || { cat $(VENV)/lint.log; echo "类型检查（mypy）未通过：问题见上面的输出，或运行 $(MYPY) 查看"; exit 1; }
	@echo "运行全部测试（双核电脑空闲时五到七分钟）……"
	@$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

check: setup
	@$(BIN)/handbook check

# Company-scale benchmarks (300 projects × 365 days; about 20 min); rewrites bench/RESULTS.md.
# BENCH_ARGS='--projects 100 --quick' for a run of a few minutes.
bench: setup
	@$(BIN)/pip install -q -e '.[bench]' >>$(LOG) 2>&1 || { tail -n 20 $(LOG); echo "安装基准测试依赖（sqlite-utils、time-machine）失败（完整输出见 $(LOG)）"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf public .build-* .handbook-build-*.yml .cache site/standards site/print site/results site/roles site/checklists site/methods build/pdf-cache build/demo build/serve
