# Ferry's everyday commands. Each recipe finds a JDK 21+ itself (bin/find-jdk) and builds with the
# Maven wrapper, so neither a system Maven nor a particular default `java` is needed.
#
#   make run      build if needed (showing progress), then run the broker (bin/ferry server, data under ./data)
#   make build    build every module and the start-up cache bin/ferry starts the JVM from
#   make test     check the formatting, then every module's tests (not the soak tests, not the benchmarks)
#   make format   format the tree as make test expects it
#   make chaos    the fault suite against real ferry server processes (not part of make test; docs/RELIABILITY.md)
#   make client-suite   nsqjs's own test suite, with ferry server standing in for the nsqd it starts per test
#   make help     all targets
#
# Streams and groups against a running broker (make run), as in NSQ's stream-consumer examples:
#   STREAM=foo make producer                                 an event every second to stream foo
#   STREAM=foo PAYLOAD_KEYS=10000 THREADS=10 make producer   ~1 MB events from 10 threads
#   STREAM=foo GROUP=1 make consumer                         consume foo as group 1 (same group: shared)
#   STREAM=foo GROUP=1 TIMEOUT=30 make consumer              ... and exit after 30 s without a message
#   make wakeup                                              start idle consumers whose group has a backlog
#   STREAM=foo TIMEOUT=30 make systemd-socket-activate-consumer   an on-demand consumer on a unix socket

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# What `make run` passes to bin/ferry.
RUN_ARGS ?= server
# `make bench BENCH=Publish` runs only the benchmarks matching that regex; JMH_ARGS adds options,
# e.g. JMH_ARGS='-prof gc'. JMH_RUN is a short run for a quick look, not for publication; JMH
# refuses an option given twice, so replace it rather than repeat it: JMH_RUN='-f 3 -i 10'.
BENCH ?=
JMH_ARGS ?=
JMH_RUN ?= -f 1 -wi 2 -w 2s -i 3 -r 3s
# `make chaos`: about how many seconds the fault suite runs (its timed rows share what the others leave;
# the run is stopped at twice that plus 5 minutes), and the seed of its random choices (default: a new
# one, printed, so a run can be repeated with CHAOS_SEED=...).
CHAOS_TIME ?= 300
CHAOS_SEED ?=
# Extra options for every Maven run, e.g. MVN_ARGS=-o or MVN_ARGS=-q.
MVN_ARGS ?=
# The producer and consumer targets: STREAM is the topic, GROUP the channel. PAYLOAD_KEYS keys of
# about 100 bytes each per event (10000: about 1 MB), THREADS publishing independently, one event per
# thread every INTERVAL. TIMEOUT (seconds; 0: never) is how long a consumer waits without a message
# before it exits. NSQD / NSQD_HTTP: the broker's TCP and HTTP addresses. SOCKET_DIR: where the
# consumers' wakeup sockets are, one per stream and group ($(SOCKET_DIR)/<stream>/<group>.sock), as
# in packaging/systemd (/run/ferry needs root; e.g. SOCKET_DIR=/tmp/ferry without).
STREAM ?=
GROUP ?= 1
PAYLOAD_KEYS ?= 10
THREADS ?= 1
INTERVAL ?= 1s
TIMEOUT ?= 0
NSQD ?= 127.0.0.1:4150
NSQD_HTTP ?= 127.0.0.1:4151
SOCKET_DIR ?= /run/ferry

# Runs its arguments with JAVA_HOME and PATH set to the JDK bin/find-jdk picks; fails with its
# message (what to install) when there is none.
WITH_JDK = JAVA_HOME="$$(bin/find-jdk)" && export JAVA_HOME PATH="$$JAVA_HOME/bin:$$PATH" &&
MVNW = ./mvnw -B $(MVN_ARGS)

.PHONY: help run build test format soak chaos bench clean client-suite producer consumer wakeup systemd-socket-activate-consumer

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-33s %s\n", $$1, $$2}'
	@echo "  variables: RUN_ARGS='$(RUN_ARGS)' BENCH=regex JMH_ARGS='-prof gc' JMH_RUN='$(JMH_RUN)' MVN_ARGS='-o'"
	@echo "             CHAOS_TIME=$(CHAOS_TIME) CHAOS_SEED=N"
	@echo "             STREAM=foo GROUP=$(GROUP) PAYLOAD_KEYS=$(PAYLOAD_KEYS) THREADS=$(THREADS) INTERVAL=$(INTERVAL)"\
		"TIMEOUT=$(TIMEOUT) NSQD=$(NSQD) NSQD_HTTP=$(NSQD_HTTP) SOCKET_DIR=$(SOCKET_DIR)"

run: ## Build if needed, then run bin/ferry with RUN_ARGS (default: server, the broker)
	bin/ferry $(RUN_ARGS)

build: ## Compile and package every module, without tests, and make bin/ferry's start-up cache
	$(WITH_JDK) $(MVNW) package -DskipTests
	$(WITH_JDK) bin/startup-cache

test: ## Run every module's tests (soak tests and benchmarks excluded)
	$(WITH_JDK) $(MVNW) verify

format: ## Format every Java file of the tree (make test fails on unformatted code)
	$(WITH_JDK) $(MVNW) -q spotless:apply

soak: ## Run only ferry-core's tests tagged "soak" (long crash/restart loops)
	$(WITH_JDK) $(MVNW) -pl ferry-core -am test \
		-Dtest.groups=soak -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false

# The suite opens 10,000 connections to one broker, so the open-file limit is raised to the hard limit
# first (the brokers it starts inherit it); mounting the small file system of the disk-full row needs
# root, and the row says it was skipped without.
chaos: ## Run the fault suite against real ferry server processes and print its table (CHAOS_TIME, CHAOS_SEED)
	$(WITH_JDK) $(MVNW) -q -pl ferry-server,ferry-bench -am package -DskipTests
	$(WITH_JDK) ulimit -n "$$(ulimit -Hn)" && timeout $$(( $(CHAOS_TIME) * 2 + 300 )) \
		java -cp ferry-bench/target/benchmarks.jar dev.ferry.bench.chaos.FaultSuite \
		--jar ferry-server/target/ferry.jar --time $(CHAOS_TIME) $(if $(CHAOS_SEED),--seed $(CHAOS_SEED))

bench: ## Build ferry-bench and run the JMH benchmarks briefly (BENCH=regex, JMH_ARGS=...)
	$(WITH_JDK) $(MVNW) -pl ferry-bench -am package -DskipTests
	$(WITH_JDK) java -jar ferry-bench/target/benchmarks.jar $(JMH_RUN) $(JMH_ARGS) $(BENCH)

client-suite: build ## Run nsqjs's own test suite (a fresh nsqd per test) with ferry server as its nsqd
	bin/client-suite

clean: ## Delete the build output
	$(WITH_JDK) $(MVNW) -q clean

# Fails the recipe, saying how to call it, when STREAM is not set.
NEED_STREAM = @[[ -n "$(STREAM)" ]] || { echo "make $@: set STREAM, e.g. STREAM=foo make $@" >&2; exit 2; }

producer: ## Publish JSON events to STREAM (PAYLOAD_KEYS, THREADS, INTERVAL), printing the rate
	$(NEED_STREAM)
	bin/ferry produce --nsqd-tcp-address $(NSQD) --topic $(STREAM) \
		--payload-keys $(PAYLOAD_KEYS) --threads $(THREADS) --interval $(INTERVAL)

consumer: ## Consume STREAM as group GROUP, one body a line (TIMEOUT: exit when idle that long)
	$(NEED_STREAM)
	bin/ferry consume --nsqd-tcp-address $(NSQD) --topic $(STREAM) --channel $(GROUP) --timeout $(TIMEOUT)

wakeup: ## Wake the socket-activated consumer of each group with a backlog (sockets under SOCKET_DIR)
	bin/ferry wakeup --nsqd-http-address $(NSQD_HTTP) --socket '$(SOCKET_DIR)/{topic}/{channel}.sock'

# systemd-socket-activate starts its program once, on the first connection; the loop re-arms it each
# time the consumer exits, as systemd does for a .socket unit. Ctrl-C ends the loop.
systemd-socket-activate-consumer: ## Run STREAM's GROUP consumer on demand on SOCKET_DIR/STREAM/GROUP.sock (TIMEOUT)
	$(NEED_STREAM)
	@command -v systemd-socket-activate >/dev/null \
		|| { echo "make $@: needs systemd-socket-activate (Debian: apt-get install systemd)" >&2; exit 1; }
	@[[ "$(TIMEOUT)" != 0 ]] || { echo "make $@: set TIMEOUT, the idle seconds before the consumer exits" >&2; exit 2; }
	bin/ferry --version >/dev/null # build now, not once woken
	mkdir -p $(SOCKET_DIR)/$(STREAM)
	trap 'exit 130' INT TERM; \
	while true; do \
		echo "waiting for a wakeup on $(SOCKET_DIR)/$(STREAM)/$(GROUP).sock" >&2; \
		systemd-socket-activate --listen=$(SOCKET_DIR)/$(STREAM)/$(GROUP).sock \
			bin/ferry consume --socket-activated --nsqd-tcp-address $(NSQD) \
			--topic $(STREAM) --channel $(GROUP) --timeout $(TIMEOUT) || true; \
	done
