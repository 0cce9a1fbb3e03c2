# SPDX-License-Identifier: BSD-2-Clause
#
# The reference guest: a tiny PVH kernel that checks what millivm hands it (guest/README.md).
# A make fragment: the top Makefile includes it; it also works alone, from the repository root:
#     make -f guest/guest.mk BUILD=build            (CC=clang works too)
# Produces $(BUILD)/refguest.elf (ELF64) and $(BUILD)/refguest32.elf (the same image as ELF32).

BUILD ?= build
ifeq ($(origin CC),default)
CC := gcc
endif
OBJCOPY ?= objcopy

# Included by another Makefile: leave its default goal alone (restored at the end).
REFGUEST_STANDALONE := $(filter 1,$(words $(MAKEFILE_LIST)))
REFGUEST_SAVED_GOAL := $(.DEFAULT_GOAL)

# When included, $(lastword $(MAKEFILE_LIST)) is still this file at parse time.
REFGUEST_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
REFGUEST_OUT := $(BUILD)/refguest

REFGUEST_C := $(wildcard $(REFGUEST_DIR)/*.c)
REFGUEST_S := $(wildcard $(REFGUEST_DIR)/*.S)
REFGUEST_OBJS := $(patsubst $(REFGUEST_DIR)/%.c,$(REFGUEST_OUT)/%.o,$(REFGUEST_C)) \
		 $(patsubst $(REFGUEST_DIR)/%.S,$(REFGUEST_OUT)/%.o,$(REFGUEST_S))

# Freestanding x86-64 kernel code: no libc, no SSE/x87 state, no red zone (exceptions push on
# our stack), absolute addresses (linked at 1 MiB, identity mapped).
REFGUEST_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -m64 \
	-ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector -fno-builtin \
	-mno-red-zone -mno-sse -mno-mmx -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-exceptions \
	-ffunction-sections -fdata-sections \
	-I$(REFGUEST_DIR)/../include -MMD -MP
REFGUEST_LDFLAGS := -nostdlib -static -Wl,--build-id=none \
	-Wl,-T,$(REFGUEST_DIR)/refguest.ld -Wl,-z,noexecstack -Wl,--gc-sections

.PHONY: refguest
refguest: $(BUILD)/refguest.elf $(BUILD)/refguest32.elf

$(BUILD)/refguest.elf: $(REFGUEST_OBJS) $(REFGUEST_DIR)/refguest.ld
	$(CC) -m64 $(REFGUEST_LDFLAGS) -o $@ $(REFGUEST_OBJS)

# The same image for loaders that want ELF32 (the PVH note and the segments carry over).
$(BUILD)/refguest32.elf: $(BUILD)/refguest.elf
	$(OBJCOPY) -O elf32-i386 $< $@

$(REFGUEST_OUT)/%.o: $(REFGUEST_DIR)/%.c | $(REFGUEST_OUT)
	$(CC) $(REFGUEST_CFLAGS) -c -o $@ $<

$(REFGUEST_OUT)/%.o: $(REFGUEST_DIR)/%.S | $(REFGUEST_OUT)
	$(CC) $(REFGUEST_CFLAGS) -c -o $@ $<

$(REFGUEST_OUT):
	mkdir -p $@

-include $(REFGUEST_OBJS:.o=.d)

ifeq ($(REFGUEST_STANDALONE),)
.DEFAULT_GOAL := $(REFGUEST_SAVED_GOAL)
endif
