// Shared helpers of the container path. Everything here is async-signal-safe: it runs in the
// forked monitor and in the container's init, where the parent's threads and locks are gone.
#pragma once

#include "swl_container.h"
#include <stddef.h>
#include <stdarg.h>

// Monitor → parent reports on the status pipe. Fixed size, below PIPE_BUF, so writes are atomic.
enum swl_report_kind {
    SWL_REPORT_PID = 1,      // value: init's pid
    SWL_REPORT_ERROR = 2,    // value: errno, step: what failed
    SWL_REPORT_EXIT = 3,     // value: init's wait status
};

typedef struct swl_report {
    int kind;
    int value;
    char step[SWL_STEP_MAX];
} swl_report;

// The pieces of one container's setup that init needs besides the description.
typedef struct swl_init_ctx {
    const swl_container_desc *desc;
    int sync_fd;        // messages to the parent
    int go_fd;          // the monitor writes one byte once init sits in its cgroup
    int fifo_fd;        // the exec fifo, opened O_RDWR so a read blocks until `start`
    int exec_err_fd;    // after READY, failures go to the monitor on this pipe
} swl_init_ctx;

// Formats into a fixed buffer; never allocates.
void swl_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// write(2)/read(2) until done, retrying EINTR. Return 0 or -errno.
int swl_write_all(int fd, const void *buf, size_t len);
ssize_t swl_read_full(int fd, void *buf, size_t len);

// Raw clone without a new stack: fork semantics plus namespace flags, and no atfork handlers.
pid_t swl_raw_clone(unsigned long flags);

// Resets every signal disposition to default and unblocks all signals.
void swl_reset_signals(void);

// Writes a short string to a file by path.
int swl_write_file(const char *path, const char *data, size_t len);

// Sends a step failure to `fd` as an swl_msg (type ERROR) and exits init.
__attribute__((noreturn)) void swl_init_fail(int fd, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Init's steps.
__attribute__((noreturn)) void swl_init_main(swl_init_ctx *ctx);
void swl_rootfs_prepare(swl_init_ctx *ctx);    // before hooks: binds, mounts, devices
void swl_rootfs_finish(swl_init_ctx *ctx);     // after hooks: pivot_root, sysctls, masks, ro
// Runs hooks in order; on the first failure writes the step into `step` and returns -errno.
int swl_run_hooks(const swl_hook *hooks, int n, const char *state, size_t state_len,
                  const char *phase, char *step, size_t step_size);
