/* SPDX-License-Identifier: BSD-2-Clause */
#include "console.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "core/sandbox.h"

#define CTRL_A 0x01
#define ESCAPE_QUIT 'x'

static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;

void console_terminal_restore(void)
{
	if (termios_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
		termios_saved = 0;
	}
}

static void restore_and_reraise(int sig)
{
	console_terminal_restore();
	raise(sig); /* SA_RESETHAND already made the action the default one */
}

static void install_restoring_handlers(void)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
				       SIGBUS, SIGABRT, SIGFPE,  SIGILL };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_reraise;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
	atexit(console_terminal_restore);
}

void console_terminal_setup(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return;
	install_restoring_handlers();
	struct termios raw = saved_termios;
	/* Raw input (Ctrl-C goes to the guest); output post-processing kept, as QEMU does, so
	 * a guest printing bare \n still gets a carriage return. */
	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
				   IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	termios_saved = 1;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

struct console_input {
	struct vm *vm;
	console_input_fn fn;
	void *opaque;
	bool escape_enabled;
};

/* Strips the Ctrl-A escapes out of buf in place; returns the bytes left for the guest. */
static size_t handle_escapes(struct console_input *in, uint8_t *buf, size_t len,
			     bool *pending_escape)
{
	size_t out = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		if (*pending_escape) {
			*pending_escape = false;
			if (c == ESCAPE_QUIT) {
				vm_request_exit(in->vm, 0);
				return out;
			}
			if (c == CTRL_A)
				buf[out++] = c;
			continue;
		}
		if (c == CTRL_A) {
			*pending_escape = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

static void *input_thread(void *arg)
{
	struct console_input *in = arg;
	bool pending_escape = false;
	sandbox_thread_start(SANDBOX_DEVICE, "console-in");
	uint8_t buf[256];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL; /* end of input: the guest keeps running, it just hears no more */
		size_t len = (size_t)n;
		if (in->escape_enabled)
			len = handle_escapes(in, buf, len, &pending_escape);
		if (len)
			in->fn(in->opaque, buf, len);
	}
}

static bool stdin_has_input(void)
{
	struct stat st;
	if (fstat(STDIN_FILENO, &st) < 0)
		return false;
	/* /dev/null (and other character devices that are not terminals) never deliver. */
	return !S_ISCHR(st.st_mode) || isatty(STDIN_FILENO);
}

int console_input_start(struct vm *vm, console_input_fn fn, void *opaque)
{
	if (!stdin_has_input())
		return 0;
	static struct console_input in;
	in = (struct console_input){ vm, fn, opaque, isatty(STDIN_FILENO) != 0 };
	pthread_t thread;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&thread, &attr, input_thread, &in);
	pthread_attr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}
