# Cleo Console — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/cleo-console
DEBUG_BIN := .build/debug/cleo-console
DEMO_DIR ?= $(CURDIR)/.demo

# Debian packages the build and the tests need, and the file that proves each is installed.
APT_PACKAGES := libncursesw5-dev libsqlite3-dev tmux pkg-config sqlite3 wrk nginx-light curl openssl acl time
NEEDED := /usr/include/ncursesw/curses.h:libncursesw5-dev /usr/include/sqlite3.h:libsqlite3-dev \
          /usr/bin/tmux:tmux /usr/bin/pkg-config:pkg-config /usr/bin/sqlite3:sqlite3 \
          /usr/bin/wrk:wrk /usr/sbin/nginx:nginx-light /usr/bin/curl:curl /usr/bin/openssl:openssl /usr/bin/setfacl:acl /usr/bin/time:time

.PHONY: deps build release test run screens bench bench-serve demo fuzz clean

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
	RECORD_SCREENS=1 $(SWIFT) test --filter ConsoleUITests || true
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

## fuzz: libFuzzer targets (line parser, canvas text), FUZZ_SECONDS each (default 60); not part of make test
FUZZ_SECONDS ?= 60
FUZZ_DIR := .build/fuzz
FUZZ_LINE_SOURCES := $(addprefix Sources/CleoDomain/,WebhookLineParser.swift StrictJSON.swift WebhookEvent.swift Amount.swift Region.swift Timestamp.swift ConfigField.swift ConfigRules.swift)
FUZZ_CANVAS_SOURCES := $(wildcard Sources/TerminalCanvas/*.swift)
# Swift's own backtracer and ASan's handler fight over a crash: libFuzzer's report is the one kept.
FUZZ_RUN := SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=handle_segv=1:detect_leaks=0
fuzz: deps
	@mkdir -p $(FUZZ_DIR)/corpus-line $(FUZZ_DIR)/corpus-canvas $(FUZZ_DIR)/crashes
	@# A failed compile stops here (never fuzzes the previous binary); the linker's noise is dropped.
	swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name CleoFuzzLine Fuzz/WebhookLineFuzz.swift $(FUZZ_LINE_SOURCES) -o $(FUZZ_DIR)/line 2> $(FUZZ_DIR)/line.log || { cat $(FUZZ_DIR)/line.log; exit 1; }
	@grep -v 'ld.gold: warning: Cannot export local symbol' $(FUZZ_DIR)/line.log || true
	@# A failed compile stops here (never fuzzes the previous binary); the linker's noise is dropped.
	swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name CleoFuzzCanvas Fuzz/CanvasFuzz.swift $(FUZZ_CANVAS_SOURCES) -o $(FUZZ_DIR)/canvas 2> $(FUZZ_DIR)/canvas.log || { cat $(FUZZ_DIR)/canvas.log; exit 1; }
	@grep -v 'ld.gold: warning: Cannot export local symbol' $(FUZZ_DIR)/canvas.log || true
	$(FUZZ_RUN) $(FUZZ_DIR)/line -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crashes/line- $(FUZZ_DIR)/corpus-line Fuzz/seeds/line
	$(FUZZ_RUN) $(FUZZ_DIR)/canvas -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crashes/canvas- $(FUZZ_DIR)/corpus-canvas Fuzz/seeds/canvas Screens

clean:
	rm -rf .build .demo
