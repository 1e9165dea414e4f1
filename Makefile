# Ferry's everyday commands. Each recipe finds a JDK 21+ itself (bin/find-jdk) and builds with the
# Maven wrapper, so neither a system Maven nor a particular default `java` is needed.
#
#   make run      build if needed, then run the broker (bin/ferry server, data under ./data)
#   make test     every module's tests (not the soak tests, not the benchmarks)
#   make help     all targets

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
# Extra options for every Maven run, e.g. MVN_ARGS=-o or MVN_ARGS=-q.
MVN_ARGS ?=

# Runs its arguments with JAVA_HOME and PATH set to the JDK bin/find-jdk picks; fails with its
# message (what to install) when there is none.
WITH_JDK = JAVA_HOME="$$(bin/find-jdk)" && export JAVA_HOME PATH="$$JAVA_HOME/bin:$$PATH" &&
MVNW = ./mvnw -B $(MVN_ARGS)

.PHONY: help run build test soak bench clean

help: ## Show the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'
	@echo "  variables: RUN_ARGS='$(RUN_ARGS)' BENCH=regex JMH_ARGS='-prof gc' JMH_RUN='$(JMH_RUN)' MVN_ARGS='-o'"

run: ## Build if needed, then run bin/ferry with RUN_ARGS (default: server, the broker)
	bin/ferry $(RUN_ARGS)

build: ## Compile and package every module, without tests
	$(WITH_JDK) $(MVNW) package -DskipTests

test: ## Run every module's tests (soak tests and benchmarks excluded)
	$(WITH_JDK) $(MVNW) verify

soak: ## Run only ferry-core's tests tagged "soak" (long crash/restart loops)
	$(WITH_JDK) $(MVNW) -pl ferry-core -am test \
		-Dtest.groups=soak -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false

bench: ## Build ferry-bench and run the JMH benchmarks briefly (BENCH=regex, JMH_ARGS=...)
	$(WITH_JDK) $(MVNW) -pl ferry-bench -am package -DskipTests
	$(WITH_JDK) java -jar ferry-bench/target/benchmarks.jar $(JMH_RUN) $(JMH_ARGS) $(BENCH)

clean: ## Delete the build output
	$(WITH_JDK) $(MVNW) -q clean
