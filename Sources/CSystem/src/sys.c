#include "swl_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

long long swl_process_start_time(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -EIO;
    buf[n] = 0;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    char *p = strrchr(buf, ')');
    if (!p) return -EIO;
    p++;
    for (int field = 3; field < 22 && *p; field++) {
        while (*p == ' ') p++;
        while (*p && *p != ' ') p++;
    }
    while (*p == ' ') p++;
    long long v = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    return v;
}


int swl_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

static void forwarded_signals(sigset_t *set) {
    sigemptyset(set);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(set, sigs[i]);
}

int swl_forward_signals_begin(void) {
    sigset_t set;
    forwarded_signals(&set);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return -errno;
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int swl_forward_signals_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n < 0) return -errno;
    if (n != (ssize_t)sizeof info) return -EIO;
    return (int)info.ssi_signo;
}

void swl_forward_signals_end(int fd) {
    if (fd >= 0) close(fd);
    sigset_t set;
    forwarded_signals(&set);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int swl_copy_winsize(int from, int to) {
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) < 0) return -errno;
    return ioctl(to, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}
