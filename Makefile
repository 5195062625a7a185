# Feidi (飞地) — build, run and test entry points.  `make help` lists the targets.
#
#   make run     set everything up, load the demo city, start the job worker, serve on :8000
#   make test    set everything up, lint, run the suite on SQLite, then again on PostgreSQL
#
# Every recipe is one bash script (.ONESHELL) run with `set -euo pipefail`.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV  := .venv
PY    := $(VENV)/bin/python
FEIDI := $(VENV)/bin/feidi

# PostgreSQL for the second test pass. pytest-django creates (and drops) test_<name> itself, so
# the database named here need not exist; the server and the user must.
FEIDI_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/feidi_test
export FEIDI_TEST_DATABASE_URL

# Extra arguments: make test PYTEST_ARGS="-x -k audit", make run SERVE_ARGS="--bind 0.0.0.0:8000",
# make bench BENCH_ARGS="--orgs 20000" (given to every bench/*.py).
PYTEST_ARGS ?=
# The suite runs in this many processes (pytest-xdist, a file's tests stay in one process);
# make test PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 4 ? 4 : n )))
SERVE_ARGS ?=
BENCH_ARGS ?=

# A shell helper every recipe starts with: `step "text"` prints a visible section header.
STEP = step() { if [[ -t 1 ]]; then printf '\n\033[1;34m==>\033[0;1m %s\033[0m\n' "$$*"; else printf '\n==> %s\n' "$$*"; fi; }

.PHONY: help setup python-deps frontend run test lint bench clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 20

# --- setup ----------------------------------------------------------------------------------

python-deps: ## .venv with Python >= 3.12; pip install -e ".[test]" when pyproject.toml changed
	@$(STEP)
	if [[ -x $(PY) ]] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
	  :
	else
	  python=$$(scripts/find-python.sh)
	  step "creating $(VENV) with $$python ($$("$$python" -V 2>&1))"
	  rm -rf $(VENV)
	  "$$python" -m venv $(VENV)
	fi
	# The stamp holds a hash of what the install was made from: content, not mtimes, decides.
	locks=(pyproject.toml); [[ -f requirements.lock ]] && locks+=(requirements.lock)
	hash=$$(cat "$${locks[@]}" | sha256sum | cut -d' ' -f1)
	stamp=$(VENV)/.feidi-pip-stamp
	if [[ -x $(FEIDI) && "$$(cat $$stamp 2>/dev/null)" == "$$hash" ]]; then
	  echo "Python packages up to date ($$($(PY) -V), $(VENV))"
	  exit 0
	fi
	step "pip install -e \".[test]\" into $(VENV) ($$($(PY) -V))"
	constraints=()
	if [[ -f requirements.lock ]]; then
	  # pinned transitive dependencies; the project itself cannot be its own constraint
	  grep -vE '^[[:space:]]*(-e|#|$$|feidi([[:space:]=@]|$$))' requirements.lock > $(VENV)/.feidi-constraints.txt || true
	  constraints=(-c $(VENV)/.feidi-constraints.txt)
	fi
	$(PY) -m pip install --disable-pip-version-check --quiet -e ".[test]" "$${constraints[@]}"
	echo "$$hash" > $$stamp
	echo "installed: $$($(PY) -m pip list --disable-pip-version-check 2>/dev/null | wc -l) packages"

frontend: ## npm ci when package-lock.json changed; copy the libraries into feidi/static/vendor/
	@$(STEP)
	if ! command -v npm >/dev/null; then
	  echo "npm not found: install Node.js >= 20 (Debian: apt-get install nodejs npm)" >&2; exit 1
	fi
	if [[ ! -f package-lock.json ]]; then
	  step "npm install (creates package-lock.json — commit it)"
	  npm install --no-audit --no-fund
	fi
	hash=$$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
	stamp=node_modules/.feidi-npm-stamp
	if [[ -d node_modules && "$$(cat $$stamp 2>/dev/null)" == "$$hash" ]]; then
	  echo "npm packages up to date (node_modules)"
	else
	  step "npm ci"
	  npm ci --no-audit --no-fund
	  echo "$$hash" > $$stamp
	fi
	python=$$(command -v python3 || echo $(PY))
	"$$python" scripts/vendor.py

setup: python-deps frontend ## everything `run` and `test` need: venv, npm, vendor files, migrate, collectstatic
	@$(STEP)
	step "feidi migrate"
	$(FEIDI) migrate --noinput
	step "feidi collectstatic"
	$(FEIDI) collectstatic --noinput

# --- run ------------------------------------------------------------------------------------

run: setup ## load the demo city, start the job worker, serve on http://localhost:8000/ (Ctrl-C stops both)
	@$(STEP)
	# make run is a local demo over plain http: cookies without the Secure flag unless told otherwise
	export FEIDI_SECURE_COOKIES="$${FEIDI_SECURE_COOKIES:-false}"
	step "feidi demo"
	$(FEIDI) demo
	logdir="$${FEIDI_VAR_DIR:-var}"; mkdir -p "$$logdir"
	step "feidi worker (in the background, log: $$logdir/worker.log)"
	$(FEIDI) worker >>"$$logdir/worker.log" 2>&1 &
	worker=$$!
	stop_worker() {
	  if kill -0 "$$worker" 2>/dev/null; then
	    kill -TERM "$$worker" 2>/dev/null || true
	    wait "$$worker" 2>/dev/null || true
	    echo "job worker stopped"
	  fi
	}
	trap stop_worker EXIT
	trap 'exit 130' INT TERM
	sleep 1
	if ! kill -0 "$$worker" 2>/dev/null; then
	  echo "the job worker exited at once; the end of $$logdir/worker.log:" >&2
	  tail -n 20 "$$logdir/worker.log" >&2
	  exit 1
	fi
	step "feidi serve (Ctrl-C stops the server and the worker)"
	$(FEIDI) serve $(SERVE_ARGS)

# --- checks ---------------------------------------------------------------------------------

lint: python-deps ## ruff check, and no model change without its migration
	@$(STEP)
	step "ruff check"
	$(VENV)/bin/ruff check .
	step "feidi makemigrations --check --dry-run"
	tmp=$$(mktemp -d -t feidi-lint.XXXXXX); trap 'rm -rf "$$tmp"' EXIT
	env -u FEIDI_DATABASE_URL -u FEIDI_REDIS_URL FEIDI_VAR_DIR="$$tmp" $(FEIDI) makemigrations --check --dry-run

# The suite needs the packages and the vendored front-end libraries, not `setup`'s migrated var/ and
# collected static files: each pass migrates its own temporary FEIDI_VAR_DIR and serves static files
# from the finders.
test: python-deps frontend lint ## lint, the suite on SQLite (with browser tests), then on PostgreSQL when one answers
	@$(STEP)
	mkdir -p var
	rm -f var/test-postgres-ran var/test-postgres-skipped
	safe_url=$$(sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$$FEIDI_TEST_DATABASE_URL")

	# Debian chromium (+ CJK fonts for the screenshots) for the browser tests
	missing=()
	[[ -x /usr/bin/chromium ]] || missing+=(chromium)
	if command -v dpkg-query >/dev/null && ! dpkg-query -W -f='$${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then
	  missing+=(fonts-noto-cjk)
	fi
	if (( $${#missing[@]} )); then
	  step "apt-get install $${missing[*]}"
	  sudo=""; [[ $$(id -u) -eq 0 ]] || sudo="sudo -n"
	  if command -v apt-get >/dev/null \
	     && $$sudo apt-get update -qq \
	     && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$${missing[@]}"; then
	    :
	  else
	    echo "WARNING: could not install $${missing[*]} (needs root and apt-get); the browser tests will fail" >&2
	  fi
	fi

	# Local PostgreSQL and Redis: start them when they are installed but down (failure is fine)
	if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 \
	   && command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
	  step "starting PostgreSQL"
	  for version in $$(ls /etc/postgresql); do
	    pg_ctlcluster --skip-systemctl-redirect "$$version" main start || true
	  done
	  for _ in {1..20}; do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
	fi
	if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 \
	   && command -v redis-server >/dev/null; then
	  step "starting Redis"
	  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
	    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
	fi

	tmp=$$(mktemp -d -t feidi-test.XXXXXX); trap 'rm -rf "$$tmp"' EXIT
	mkdir -p "$$tmp"/{sqlite,postgres}/static   # STATIC_ROOT: whitenoise warns when it is missing

	# The suite starts about a hundred Python processes (two test processes a pass, the feidi
	# commands the tests run): with PYTHONDONTWRITEBYTECODE each compiled Feidi's modules again and
	# re-wrote every test module's asserts (9 of a test process's 15 s of collection). Bytecode is
	# written as usual (__pycache__, ignored by git), so each module is compiled once a run.
	unset PYTHONDONTWRITEBYTECODE

	# pytest-django connects to the maintenance database to create test_<name>: try that one,
	# then the named database.
	pg_connect() {
	  $(PY) -c 'import os, sys, psycopg; psycopg.connect(os.environ["FEIDI_TEST_DATABASE_URL"],
	    connect_timeout=3, **dict(a.split("=", 1) for a in sys.argv[1:])).close()' "$$@" 2>&1
	}
	# Each sweep (a test walking every page or operation, feidi/testing/sweeps.py) runs on one pass:
	# the page crawls on SQLite, the query sweeps on PostgreSQL; without PostgreSQL, all on SQLite.
	if why=$$(pg_connect dbname=postgres) || why=$$(pg_connect); then
	  postgres=1; sqlite_sweeps=pages
	else
	  postgres=0; sqlite_sweeps=all
	fi

	step "pytest on SQLite, browser tests included, sweeps: $$sqlite_sweeps (FEIDI_VAR_DIR=$$tmp/sqlite)"
	env -u FEIDI_DATABASE_URL -u FEIDI_REDIS_URL FEIDI_VAR_DIR="$$tmp/sqlite" FEIDI_TEST_SWEEPS=$$sqlite_sweeps \
	  $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

	step "PostgreSQL at $$safe_url"
	if (( postgres )); then
	  # the tests that reach the database (conftest.py: one that never does runs the same anywhere)
	  step "pytest on PostgreSQL: the tests that reach the database, without browser tests, sweeps: queries (FEIDI_VAR_DIR=$$tmp/postgres)"
	  env -u FEIDI_REDIS_URL FEIDI_DATABASE_URL="$$FEIDI_TEST_DATABASE_URL" FEIDI_VAR_DIR="$$tmp/postgres" \
	    FEIDI_TEST_DATABASE_ONLY=1 FEIDI_TEST_SWEEPS=queries \
	    $(VENV)/bin/pytest -m "not browser" -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)
	  echo "$$(date -Is) $$safe_url" > var/test-postgres-ran
	  pg="PostgreSQL pass ran"
	else
	  echo "$$why" | tail -n 2 | sed "s/^[[:space:]]*/  /"
	  echo "PostgreSQL not reachable: skipped (FEIDI_TEST_DATABASE_URL=$$safe_url)"
	  echo "$$(date -Is) $$safe_url" > var/test-postgres-skipped
	  pg="PostgreSQL not reachable: skipped"
	fi
	step "make test: passed — ruff, migrations, SQLite + browser; $$pg"

bench: setup ## run every bench/*.py with the venv's Python (PostgreSQL needed by some)
	@$(STEP)
	# the baselines the benchmarks compare with (DuckDB, pandas, bm25s, rank-bm25, jieba): the "bench" extra, pinned
	if ! $(PY) -c 'import duckdb, pandas, bm25s, rank_bm25, jieba, jieba_next' 2>/dev/null; then
	  step "pip install -e \".[bench]\""
	  $(PY) -m pip install -q -c requirements.lock -e ".[test,bench]"
	fi
	shopt -s nullglob
	for script in bench/*.py; do
	  step "$$script"
	  $(PY) "$$script" $(BENCH_ARGS)
	done

# --- cleaning -------------------------------------------------------------------------------

clean: ## remove generated files (vendor copies, collected static, caches); var/ data is kept
	@rm -rf feidi/static/vendor var/static .pytest_cache .ruff_cache .hypothesis bench/out ./*.egg-info
	rm -f var/test-postgres-ran var/test-postgres-skipped
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune -o -name __pycache__ -type d -print0 \
	  | xargs -0 rm -rf
	echo "cleaned (var/ keeps the database, the keys, exports and mail)"

distclean: clean ## also remove .venv and node_modules
	@rm -rf $(VENV) node_modules
	echo "removed $(VENV) and node_modules"
