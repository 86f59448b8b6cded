#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void swl_fmt(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    // glibc's vsnprintf does not allocate for the plain %s/%d conversions used here.
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

int swl_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t swl_read_full(int fd, void *buf, size_t len) {
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

pid_t swl_raw_clone(unsigned long flags) {
    // x86_64/aarch64 argument order: flags, stack, parent_tid, child_tid, tls.
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

void swl_reset_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &sa, NULL);
    }
    sigset_t all;
    sigemptyset(&all);
    (void)sigprocmask(SIG_SETMASK, &all, NULL);
}

int swl_write_file(const char *path, const char *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = swl_write_all(fd, data, len);
    close(fd);
    return rc;
}

void swl_init_fail(int fd, int err, const char *fmt, ...) {
    swl_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.type = SWL_MSG_ERROR;
    msg.err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg.step, sizeof msg.step, fmt, ap);
    va_end(ap);
    (void)swl_write_all(fd, &msg, sizeof msg);
    _exit(1);
}
