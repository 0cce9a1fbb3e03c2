/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest_trace.h"

#include <stdlib.h>
#include <string.h>

#include "core/vm.h"

int guest_trace_capture(const struct guest_mem *mem, uint64_t gpa, struct guest_trace *out,
			struct error *err)
{
	const struct millivm_trace_header *h = gpa_range(mem, gpa, sizeof(*h));
	if (!h)
		return error_set(err, "trace buffer 0x%llx is outside guest RAM",
				 (unsigned long long)gpa);
	struct millivm_trace_header head;
	memcpy(&head, h, sizeof(head)); /* read once: the guest may be changing it */
	if (head.magic != MILLIVM_TRACE_MAGIC || head.version != MILLIVM_TRACE_VERSION)
		return error_set(err, "trace buffer 0x%llx: bad magic 0x%x or version %u",
				 (unsigned long long)gpa, head.magic, head.version);
	if (head.count > head.capacity || head.count > MILLIVM_TRACE_MAX_RECORDS)
		return error_set(err, "trace buffer 0x%llx: %u records (capacity %u, limit %d)",
				 (unsigned long long)gpa, head.count, head.capacity,
				 MILLIVM_TRACE_MAX_RECORDS);
	size_t bytes = (size_t)head.count * sizeof(struct millivm_trace_record);
	const void *src = gpa_range(mem, gpa + sizeof(head), bytes);
	if (!src)
		return error_set(err, "trace buffer 0x%llx: records run outside guest RAM",
				 (unsigned long long)gpa);
	struct millivm_trace_record *copy = malloc(bytes ? bytes : 1);
	if (!copy)
		return error_set(err, "trace buffer: out of memory");
	memcpy(copy, src, bytes);
	guest_trace_free(out);
	out->records = copy;
	out->count = head.count;
	return 0;
}

void guest_trace_free(struct guest_trace *t)
{
	free(t->records);
	t->records = NULL;
	t->count = 0;
}

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case MILLIVM_TRACE_ENTER: return "ENTER";
	case MILLIVM_TRACE_EXIT: return "EXIT";
	case MILLIVM_TRACE_EVENT: return "EVENT";
	case MILLIVM_TRACE_THREAD: return "THREAD";
	default: return NULL;
	}
}

/* Names come from the guest: print only the visible ASCII, '?' for the rest. */
static void print_name(const char *name, FILE *out)
{
	size_t len = strnlen(name, MILLIVM_TRACE_NAME_LEN);
	if (len == 0) {
		fputs("(unnamed)", out);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		fputc(c > ' ' && c < 0x7f ? c : '?', out);
	}
}

int guest_trace_write_tslog(const struct guest_trace *t, FILE *out)
{
	for (uint32_t i = 0; i < t->count; i++) {
		const struct millivm_trace_record *r = &t->records[i];
		const char *kind = kind_name(r->kind);
		if (!kind)
			continue; /* unknown record kinds are the guest's problem, not the file's */
		fprintf(out, "0x%x %llu %s ", r->thread, (unsigned long long)r->tsc, kind);
		print_name(r->name, out);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

struct trace_port {
	struct vm *vm;
	struct guest_trace *sink;
};

static void trace_port_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			      bool is_write)
{
	struct trace_port *p = opaque;
	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	if (offset != 0 || len != 4)
		return;
	uint32_t gpa;
	memcpy(&gpa, data, 4);
	struct error err;
	if (guest_trace_capture(&p->vm->mem, gpa, p->sink, &err) < 0)
		fprintf(stderr, "millivm: guest trace ignored: %s\n", err.msg);
}

int guest_trace_port_create(struct vm *vm, struct guest_trace *sink, struct error *err)
{
	static struct trace_port port; /* one per process, like the VM */
	port.vm = vm;
	port.sink = sink;
	return bus_register(&vm->pio, MILLIVM_TRACE_PORT, 4, trace_port_access, &port,
			    "trace-port", err);
}
