# Cleo Console — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/cleo-console
DEBUG_BIN := .build/debug/cleo-console
DEMO_DIR ?= $(CURDIR)/.demo

# Debian packages the build and the tests need, and the file that proves each is installed.
APT_PACKAGES := libncursesw5-dev libsqlite3-dev tmux pkg-config sqlite3 wrk nginx-light curl openssl acl
NEEDED := /usr/include/ncursesw/curses.h:libncursesw5-dev /usr/include/sqlite3.h:libsqlite3-dev \
          /usr/bin/tmux:tmux /usr/bin/pkg-config:pkg-config /usr/bin/sqlite3:sqlite3 \
          /usr/bin/wrk:wrk /usr/sbin/nginx:nginx-light /usr/bin/curl:curl /usr/bin/openssl:openssl /usr/bin/setfacl:acl

.PHONY: deps build release test run screens bench bench-serve demo clean

## deps: install the Debian packages that are missing (only when a header or tool is absent)
deps:
	@missing=""; for pair in $(NEEDED); do file=$${pair%%:*}; pkg=$${pair##*:}; \
	  [ -e "$$file" ] || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing Debian packages:$$missing — run as root, or: sudo apt-get update && sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product cleo-console

## test: every test — domain rules, store, follower, CLI, screens and the real binary in tmux
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

## run: build (release) and open the console on the default database and events log
run: release
	$(BIN) $(ARGS)

## screens: re-record Screens/ (review with `git diff Screens/`)
screens: deps
	RECORD_SCREENS=1 $(SWIFT) test --filter Screen || true
	@git status --short Screens/

## bench: benchmarks (figures, not timed tests): scanner, 1M-event ingest vs the sqlite3 tool, 10M-row queries, serve vs nginx (wrk)
bench: deps
	$(SWIFT) build -c release --product cleo-console
	$(SWIFT) build -c release --product cleo-bench
	.build/release/cleo-bench scanner
	.build/release/cleo-bench ingest $(or $(EVENTS),1000000)
	.build/release/cleo-bench queries $(or $(TRANSACTIONS),10000000)
	.build/release/cleo-bench console
	.build/release/cleo-bench live-writes
	.build/release/cleo-bench serve

## bench-serve: only the serve benchmark (wrk against serve and nginx, same run)
bench-serve: deps
	$(SWIFT) build -c release --product cleo-console
	$(SWIFT) build -c release --product cleo-bench
	.build/release/cleo-bench serve

## demo: a synthetic live feed into a separate demo database and log, and the console on them
demo: release
	@mkdir -p $(DEMO_DIR)
	@rm -f $(DEMO_DIR)/webhook-events.jsonl $(DEMO_DIR)/console.db $(DEMO_DIR)/console.db-* $(DEMO_DIR)/console.key
	@$(BIN) demo --events $(DEMO_DIR)/webhook-events.jsonl --count 100000 --rate 3 >/dev/null 2>&1 & echo $$! > $(DEMO_DIR)/feed.pid
	-$(BIN) --db $(DEMO_DIR)/console.db --events $(DEMO_DIR)/webhook-events.jsonl
	@kill $$(cat $(DEMO_DIR)/feed.pid) 2>/dev/null || true

clean:
	rm -rf .build .demo
