# SPDX-License-Identifier: BSD-2-Clause
#
# millivm-flame, the tslog flame-chart tool. A fragment for the top Makefile to include,
# and usable on its own from the repository root:
#
#   make -f tools/flame/flame.mk                  # builds $(BUILD)/millivm-flame
#   make -f tools/flame/flame.mk flame-check      # unit + integration tests
#   make -f tools/flame/flame.mk CC=clang BUILD=build-clang flame-check
#
# Targets: flame, flame-tests (build the unit tests), flame-unit (run them), flame-check,
# flame-clean. Every variable is prefixed FLAME_ so as not to clash with the includer's.

# Alone, this is the only makefile read so far; included, we must not steal the includer's
# default goal (restored at the end).
FLAME_STANDALONE := $(filter 1,$(words $(MAKEFILE_LIST)))
FLAME_SAVED_GOAL := $(.DEFAULT_GOAL)

FLAME_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
FLAME_ROOT := $(patsubst %/,%,$(dir $(patsubst %/,%,$(dir $(FLAME_DIR)))))

BUILD ?= build

FLAME_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -MMD -MP
FLAME_OBJDIR := $(BUILD)/tools/flame
FLAME_BIN := $(BUILD)/millivm-flame

# Everything but main.c, so that the unit tests link the very same objects.
FLAME_LIB_SRCS := tslog.c line_reader.c label.c utf8.c xml_escape.c span_builder.c anomalies.c \
	span_heap.c ingest.c timeline.c options.c summary.c svg.c svg_axis.c
FLAME_LIB_OBJS := $(FLAME_LIB_SRCS:%.c=$(FLAME_OBJDIR)/%.o)
FLAME_MAIN_OBJ := $(FLAME_OBJDIR)/main.o

FLAME_UNIT_TESTS := $(BUILD)/tests/unit/test_tslog $(BUILD)/tests/unit/test_tslog_output
FLAME_INTEGRATION := $(FLAME_ROOT)/tests/integration/flame-cli.sh \
	$(FLAME_ROOT)/tests/integration/flame-svg.sh

.PHONY: flame flame-tests flame-unit flame-check flame-clean

# The top Makefile's `check` runs tests/integration/*.sh, ours included: they need the tool.
EXTRA_CHECK_DEPS += $(FLAME_BIN)

flame: $(FLAME_BIN)

$(FLAME_BIN): $(FLAME_LIB_OBJS) $(FLAME_MAIN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^

# Static pattern rules: they cannot be captured by a generic %.o rule of the includer.
$(FLAME_LIB_OBJS) $(FLAME_MAIN_OBJ): $(FLAME_OBJDIR)/%.o: $(FLAME_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(FLAME_CFLAGS) $(CFLAGS) -c -o $@ $<

$(FLAME_UNIT_TESTS): $(BUILD)/tests/unit/%: $(FLAME_ROOT)/tests/unit/%.c $(FLAME_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(FLAME_CFLAGS) $(CFLAGS) -I$(FLAME_DIR) $(LDFLAGS) -o $@ $< $(FLAME_LIB_OBJS) -lcmocka

flame-tests: $(FLAME_UNIT_TESTS)

flame-unit: $(FLAME_UNIT_TESTS)
	@set -e; for t in $(FLAME_UNIT_TESTS); do echo "== $$t"; $$t; done

# An integration test exiting 77 was skipped (e.g. no browser): not a failure.
flame-check: flame-unit $(FLAME_BIN)
	@status=0; for t in $(FLAME_INTEGRATION); do \
		echo "== $$t"; FLAME_BIN=$(abspath $(FLAME_BIN)) sh $$t; rc=$$?; \
		if [ $$rc -ne 0 ] && [ $$rc -ne 77 ]; then status=1; fi; \
	done; exit $$status

flame-clean:
	rm -rf $(FLAME_OBJDIR) $(FLAME_BIN) $(FLAME_UNIT_TESTS) $(FLAME_UNIT_TESTS:%=%.d)

-include $(FLAME_LIB_OBJS:.o=.d) $(FLAME_MAIN_OBJ:.o=.d) $(FLAME_UNIT_TESTS:%=%.d)

ifeq ($(FLAME_STANDALONE),1)
.DEFAULT_GOAL := flame
else
.DEFAULT_GOAL := $(FLAME_SAVED_GOAL)
endif
