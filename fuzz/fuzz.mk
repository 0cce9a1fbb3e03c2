# SPDX-License-Identifier: BSD-2-Clause
#
# libFuzzer targets (docs/fuzzing.md). A fragment the top Makefile includes; also usable on
# its own from the repository root: `make -f fuzz/fuzz.mk fuzz-ci`.
#
#   make fuzz-build            build every target with clang into $(BUILD)/fuzz/
#   make fuzz                  run each for FUZZ_SECONDS (default 300)
#   make fuzz-ci               run each for 30 s; prints PASS:/FAIL: lines, then "N passed, N failed"
#   make fuzz-regress          replay the seed corpora and fuzz/regressions/ once (no fuzzing)
#   make fuzz-merge            add the working corpora's new-coverage inputs to fuzz/corpus/
#   make fuzz FUZZ_TARGETS="tslog options" FUZZ_SECONDS=60
#
# The monitor (and flame tool) sources a target exercises are compiled here, directly, with
# clang, libFuzzer's coverage and ASan + UBSan: never the gcc-built libmillivm.a. Working
# corpora go to $(BUILD)/fuzz/corpus-<target>, crash inputs to $(BUILD)/fuzz/artifacts/, so
# the repository's seed corpora (fuzz/corpus/<target>/) stay as committed.
# Every variable is prefixed FUZZ_ so as not to clash with the includer's.

FUZZ_STANDALONE := $(filter 1,$(words $(MAKEFILE_LIST)))
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

BUILD ?= build
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_CI_SECONDS ?= 30
FUZZ_DIR := $(BUILD)/fuzz

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
FUZZ_COMMON := -std=c11 -g -O1 $(FUZZ_WARN) -fno-strict-aliasing $(FUZZ_SAN) -MMD -MP
# Monitor sources: as the top Makefile compiles them. Flame sources: as flame.mk does.
FUZZ_MONITOR_CFLAGS := $(FUZZ_COMMON) -fsanitize=fuzzer-no-link -Iinclude -Isrc -D_GNU_SOURCE
FUZZ_FLAME_CFLAGS := $(FUZZ_COMMON) -fsanitize=fuzzer-no-link -D_POSIX_C_SOURCE=200809L
FUZZ_HARNESS_CFLAGS := $(FUZZ_COMMON) -fsanitize=fuzzer-no-link -Iinclude -Isrc -Itools/flame \
	-D_GNU_SOURCE
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)

# Per target: the sources it needs and the largest input worth trying (-max_len).
FUZZ_SRC_pvh_elf := src/boot/pvh_elf.c src/boot/file_reader.c src/core/guest_mem.c \
	src/core/error.c
FUZZ_MAXLEN_pvh_elf := 16384

FUZZ_SRC_options := src/core/options.c src/core/net_options.c src/core/parse.c src/x86/cpuid.c \
	src/core/error.c
FUZZ_MAXLEN_options := 1024

FUZZ_SRC_guest_trace := src/debug/guest_trace.c src/core/bus.c src/core/guest_mem.c \
	src/core/error.c tools/flame/tslog.c
FUZZ_MAXLEN_guest_trace := 8192

FUZZ_SRC_tslog := $(addprefix tools/flame/,tslog.c line_reader.c label.c utf8.c xml_escape.c \
	span_builder.c anomalies.c span_heap.c ingest.c timeline.c summary.c svg.c svg_axis.c)
FUZZ_MAXLEN_tslog := 4096

FUZZ_SRC_virtqueue := src/devices/virtqueue.c src/core/guest_mem.c src/core/error.c
FUZZ_MAXLEN_virtqueue := 8192

FUZZ_SRC_virtio_token := src/devices/virtio_mmio_token.c src/core/parse.c src/core/error.c
FUZZ_MAXLEN_virtio_token := 256

FUZZ_SRC_gdb_packet := src/debug/gdb_packet.c src/debug/gdb_hex.c src/core/parse.c src/core/error.c
FUZZ_MAXLEN_gdb_packet := 40000

FUZZ_SRC_http := src/api/http.c
FUZZ_MAXLEN_http := 12288

FUZZ_SRC_vsock_conn := src/devices/vsock_conn.c
FUZZ_MAXLEN_vsock_conn := 2048

FUZZ_SRC_net_user_opts := src/devices/net_user_opts.c src/core/parse.c src/core/error.c
FUZZ_MAXLEN_net_user_opts := 4096

# A target whose first source is missing (a file renamed or not landed yet) is left out.
FUZZ_KNOWN := pvh_elf options guest_trace tslog virtqueue virtio_token gdb_packet http \
	vsock_conn net_user_opts
FUZZ_ALL := $(foreach t,$(FUZZ_KNOWN),$(if $(wildcard $(firstword $(FUZZ_SRC_$(t)))),$(t)))
FUZZ_TARGETS ?= $(FUZZ_ALL)

FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_ALL_SRC := $(sort $(foreach t,$(FUZZ_TARGETS),$(FUZZ_SRC_$(t))))
FUZZ_MONITOR_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter src/%,$(FUZZ_ALL_SRC)))
FUZZ_FLAME_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter tools/%,$(FUZZ_ALL_SRC)))
FUZZ_HARNESS_OBJ := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.o)

.PHONY: fuzz-build fuzz fuzz-ci fuzz-regress fuzz-merge fuzz-clean

fuzz-build: $(FUZZ_BINS)

# Static pattern rules: they cannot be captured by a generic %.o rule of the includer.
$(FUZZ_MONITOR_OBJ): $(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_MONITOR_CFLAGS) -c $< -o $@

$(FUZZ_FLAME_OBJ): $(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAME_CFLAGS) -c $< -o $@

$(FUZZ_HARNESS_OBJ): $(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_HARNESS_CFLAGS) -c $< -o $@

# One link rule per target: its harness plus exactly the sources it lists.
define FUZZ_LINK_RULE
$(FUZZ_DIR)/fuzz_$(1): $(FUZZ_DIR)/obj/fuzz/fuzz_$(1).o $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_SRC_$(1)))
	$$(FUZZ_CC) $$(FUZZ_LDFLAGS) $$^ -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_LINK_RULE,$(t))))

FUZZ_RUN = BUILD=$(BUILD) sh fuzz/run-fuzz.sh

fuzz: fuzz-build
	@$(FUZZ_RUN) fuzz $(FUZZ_SECONDS) $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAXLEN_$(t)))

fuzz-ci: fuzz-build
	@$(FUZZ_RUN) ci $(FUZZ_CI_SECONDS) $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAXLEN_$(t)))

fuzz-regress: fuzz-build
	@$(FUZZ_RUN) regress 0 $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAXLEN_$(t)))

fuzz-merge: fuzz-build
	@$(FUZZ_RUN) merge 0 $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAXLEN_$(t)))

fuzz-clean:
	rm -rf $(FUZZ_DIR)

-include $(FUZZ_MONITOR_OBJ:.o=.d) $(FUZZ_FLAME_OBJ:.o=.d) $(FUZZ_HARNESS_OBJ:.o=.d)

ifeq ($(FUZZ_STANDALONE),1)
.DEFAULT_GOAL := fuzz-build
else
.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
endif
