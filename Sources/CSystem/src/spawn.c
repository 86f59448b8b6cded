// The parent's side of container creation and the per-container monitor.
//
// parent ──fork──▶ monitor ──clone(CLONE_NEW*)──▶ init ──execve──▶ user code
//
// The monitor, like conmon and containerd-shim, outlives the runtime CLI and the agent: when
// its creator exits it is re-parented, and it goes on waiting. It places init into its cgroups
// and user namespace maps, reports init's pid, waits for init and records the exit status in a
// file, so the status survives an agent restart. While its creator lives, the creator reaps it.
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void monitor_report(int fd, int kind, int value, const char *step) {
    swl_report r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.value = value;
    if (step) swl_fmt(r.step, sizeof r.step, "%s", step);
    (void)swl_write_all(fd, &r, sizeof r);
}

static __attribute__((noreturn)) void monitor_fail(int fd, int err, const char *step) {
    monitor_report(fd, SWL_REPORT_ERROR, err, step);
    _exit(1);
}

// clone3 with CLONE_INTO_CGROUP puts init into its v2 cgroup atomically, so it never runs a
// single instruction in the caller's cgroup. Returns -1 with errno when clone3 cannot do it.
static pid_t clone_into_cgroup(unsigned long flags, int cgroup_fd) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_fd;
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

static void write_id_map(int report_fd, pid_t pid, const char *name, const char *map) {
    char path[64];
    swl_fmt(path, sizeof path, "/proc/%d/%s", pid, name);
    int rc = swl_write_file(path, map, strlen(map));
    if (rc < 0) {
        char step[SWL_STEP_MAX];
        swl_fmt(step, sizeof step, "write %s", path);
        kill(pid, SIGKILL);
        monitor_fail(report_fd, -rc, step);
    }
}

static void place_in_cgroups(int report_fd, const swl_container_desc *d, pid_t pid) {
    char num[24];
    swl_fmt(num, sizeof num, "%d", pid);
    for (int i = 0; i < d->n_cgroup_procs; i++) {
        int rc = swl_write_file(d->cgroup_procs[i], num, strlen(num));
        if (rc < 0) {
            char step[SWL_STEP_MAX];
            swl_fmt(step, sizeof step, "join cgroup %s", d->cgroup_procs[i]);
            kill(pid, SIGKILL);
            monitor_fail(report_fd, -rc, step);
        }
    }
}

// Reads a failure init reported after READY (a startContainer hook or execve), if any, and
// keeps it next to the exit status.
static void record_exec_error(const swl_container_desc *d, int exec_err_rd) {
    swl_msg msg;
    ssize_t n = swl_read_full(exec_err_rd, &msg, sizeof msg);
    if (n != (ssize_t)sizeof msg || d->exec_error_file == NULL) return;
    char line[SWL_STEP_MAX + 32];
    swl_fmt(line, sizeof line, "%d %s\n", msg.err, msg.step);
    int fd = open(d->exec_error_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    (void)swl_write_all(fd, line, strlen(line));
    close(fd);
}

static void record_exit(const swl_container_desc *d, int status) {
    if (d->exit_file == NULL) return;
    char tmp[4096];
    swl_fmt(tmp, sizeof tmp, "%s.tmp", d->exit_file);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    char line[32];
    swl_fmt(line, sizeof line, "%d\n", status);
    int rc = swl_write_all(fd, line, strlen(line));
    close(fd);
    // rename makes the file appear whole or not at all. No fsync: the state directory is on
    // tmpfs under /run, and an exit status need not outlive the machine's uptime.
    if (rc == 0) (void)rename(tmp, d->exit_file);
}

static void close_all_except(int a, int b) {
    int lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo > 3) syscall(SYS_close_range, 3U, (unsigned)lo - 1, 0U);
    if (hi > lo + 1) syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U);
    syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U);
}

static __attribute__((noreturn)) void monitor_main(const swl_container_desc *d, int report_fd,
                                                   int sync_child_fd) {
    swl_reset_signals();
    signal(SIGPIPE, SIG_IGN);
    setsid();
    prctl(PR_SET_NAME, (unsigned long)"swiftlet-mon", 0, 0, 0);
    // Orphans of a container that shares the host pid namespace come back to us, not to init.
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

    // A pid namespace is entered by the process that forks into it.
    for (int i = 0; i < d->n_joins; i++) {
        if (d->joins[i].nstype != CLONE_NEWPID) continue;
        int fd = open(d->joins[i].path, O_RDONLY | O_CLOEXEC);
        char step[SWL_STEP_MAX];
        swl_fmt(step, sizeof step, "open pid namespace \"%s\"", d->joins[i].path);
        if (fd < 0) monitor_fail(report_fd, errno, step);
        swl_fmt(step, sizeof step, "setns pid \"%s\"", d->joins[i].path);
        if (setns(fd, CLONE_NEWPID) < 0) monitor_fail(report_fd, errno, step);
        close(fd);
    }

    int go[2], exec_err[2];
    if (pipe2(go, O_CLOEXEC) < 0) monitor_fail(report_fd, errno, "pipe");
    if (pipe2(exec_err, O_CLOEXEC) < 0) monitor_fail(report_fd, errno, "pipe");
    int fifo_fd = -1;
    if (d->exec_fifo) {
        fifo_fd = open(d->exec_fifo, O_RDWR | O_CLOEXEC);
        if (fifo_fd < 0) {
            char step[SWL_STEP_MAX];
            swl_fmt(step, sizeof step, "open exec fifo \"%s\"", d->exec_fifo);
            monitor_fail(report_fd, errno, step);
        }
    }

    unsigned long flags = (unsigned long)(d->new_namespaces & ~CLONE_NEWCGROUP);
    pid_t pid = -1;
    int cgroup_fd = -1;
    if (d->cgroup_v2_dir) {
        cgroup_fd = open(d->cgroup_v2_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cgroup_fd >= 0) pid = clone_into_cgroup(flags, cgroup_fd);
    }
    if (pid < 0) pid = swl_raw_clone(flags);  // older kernels: written to cgroup.procs below
    if (pid < 0) {
        char step[SWL_STEP_MAX];
        swl_fmt(step, sizeof step, "clone init (flags 0x%lx)", flags);
        monitor_fail(report_fd, errno, step);
    }
    if (pid == 0) {
        close(report_fd);
        close(go[1]);
        close(exec_err[0]);
        swl_init_ctx ctx = {
            .desc = d,
            .sync_fd = sync_child_fd,
            .go_fd = go[0],
            .fifo_fd = fifo_fd,
            .exec_err_fd = exec_err[1],
        };
        swl_init_main(&ctx);
    }
    if (cgroup_fd >= 0) close(cgroup_fd);
    close(go[0]);
    close(exec_err[1]);
    close(sync_child_fd);
    if (fifo_fd >= 0) close(fifo_fd);

    if (d->uid_map) write_id_map(report_fd, pid, "uid_map", d->uid_map);
    if (d->gid_map) {
        // Without "deny", an unprivileged writer cannot map groups; as root it is not needed,
        // and leaving setgroups allowed lets the container set its additional groups.
        write_id_map(report_fd, pid, "gid_map", d->gid_map);
    }
    place_in_cgroups(report_fd, d, pid);
    if (swl_write_all(go[1], "g", 1) < 0) {
        // init is gone already; its exit is collected below and its message reaches the parent.
    }
    close(go[1]);
    monitor_report(report_fd, SWL_REPORT_PID, pid, NULL);

    // From here on the monitor holds nothing of the caller's: no terminal, no pipes, no
    // sockets (an agent's listening socket kept open here would outlive the agent).
    close_all_except(report_fd, exec_err[0]);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        if (devnull > 2) close(devnull);
    }

    int init_status = 0;
    for (;;) {
        int status;
        pid_t w = waitpid(-1, &status, 0);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;  // ECHILD: nothing left to reap
        }
        if (w == pid) {
            init_status = status;
            record_exec_error(d, exec_err[0]);
            record_exit(d, init_status);
            monitor_report(report_fd, SWL_REPORT_EXIT, init_status, NULL);
        }
    }
    _exit(0);
}

int swl_spawn_begin(const swl_container_desc *desc, swl_spawn *out, char *step) {
    int sync[2] = {-1, -1}, status[2] = {-1, -1};
    out->pid = -1;
    out->monitor_pid = -1;
    out->sync_fd = -1;
    out->status_fd = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0) {
        swl_fmt(step, SWL_STEP_MAX, "socketpair");
        return -errno;
    }
    if (pipe2(status, O_CLOEXEC) < 0) {
        int e = errno;
        close(sync[0]);
        close(sync[1]);
        swl_fmt(step, SWL_STEP_MAX, "pipe");
        return -e;
    }

    pid_t mon = swl_raw_clone(0);
    if (mon < 0) {
        int e = errno;
        close(sync[0]); close(sync[1]); close(status[0]); close(status[1]);
        swl_fmt(step, SWL_STEP_MAX, "fork monitor");
        return -e;
    }
    if (mon == 0) {
        close(sync[0]);
        close(status[0]);
        monitor_main(desc, status[1], sync[1]);
    }
    close(sync[1]);
    close(status[1]);
    out->monitor_pid = mon;

    swl_report r;
    ssize_t n = swl_read_full(status[0], &r, sizeof r);
    if (n != (ssize_t)sizeof r || r.kind != SWL_REPORT_PID) {
        int e = EPIPE;
        if (n == (ssize_t)sizeof r && r.kind == SWL_REPORT_ERROR) {
            e = r.value;
            swl_fmt(step, SWL_STEP_MAX, "%s", r.step);
        } else {
            swl_fmt(step, SWL_STEP_MAX, "start monitor");
        }
        close(sync[0]);
        close(status[0]);
        swl_reap(mon);
        out->monitor_pid = -1;
        return -e;
    }
    out->pid = r.value;
    // Init only runs prepared steps (createContainer hooks carry their own timeouts): silence
    // this long means it is stuck, and the caller must get an error rather than hang.
    struct timeval limit = {.tv_sec = SWL_INIT_SILENCE_SECONDS, .tv_usec = 0};
    (void)setsockopt(sync[0], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    out->sync_fd = sync[0];
    out->status_fd = status[0];
    return 0;
}

int swl_spawn_next(swl_spawn *s, swl_msg *msg) {
    for (;;) {
        ssize_t n = recv(s->sync_fd, msg, sizeof *msg, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -ETIMEDOUT;
        if (n < 0) return -errno;
        if (n == 0) return -EPIPE;
        if (n != (ssize_t)sizeof *msg) return -EPROTO;
        return 0;
    }
}

int swl_spawn_reply(swl_spawn *s, int ok, const char *state_json, size_t len) {
    struct {
        int ok;
        unsigned int len;
    } header = {ok, (unsigned int)len};
    int rc = swl_write_all(s->sync_fd, &header, sizeof header);
    if (rc < 0 || len == 0) return rc;
    // SEQPACKET keeps message boundaries: the state travels as one record.
    ssize_t n = send(s->sync_fd, state_json, len, MSG_NOSIGNAL);
    return n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EMSGSIZE);
}

void swl_spawn_close_sync(swl_spawn *s) {
    if (s->sync_fd >= 0) close(s->sync_fd);
    s->sync_fd = -1;
}

int swl_spawn_wait(swl_spawn *s) {
    swl_report r;
    for (;;) {
        ssize_t n = swl_read_full(s->status_fd, &r, sizeof r);
        if (n < 0) return (int)n;
        if (n != (ssize_t)sizeof r) return -EPIPE;
        if (r.kind == SWL_REPORT_EXIT) return r.value;
    }
}

void swl_spawn_release(swl_spawn *s) {
    if (s->status_fd >= 0) close(s->status_fd);
    s->status_fd = -1;
}

int swl_recv_fd(int sock) {
    char tag;
    struct iovec iov = {.iov_base = &tag, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    ssize_t n;
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || c == NULL || c->cmsg_type != SCM_RIGHTS) return -EPROTO;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

int swl_reap(pid_t monitor) {
    if (monitor <= 0) return -ECHILD;
    int status;
    pid_t w;
    do w = waitpid(monitor, &status, 0); while (w < 0 && errno == EINTR);
    return w < 0 ? -errno : 0;
}

int swl_try_reap(pid_t monitor) {
    if (monitor <= 0) return -ECHILD;
    int status;
    pid_t w = waitpid(monitor, &status, WNOHANG);
    if (w < 0) return -errno;
    return w == 0 ? -EAGAIN : 0;
}

int swl_exec_fifo_signal(const char *path) {
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = swl_write_all(fd, "s", 1);
    close(fd);
    return rc;
}

int swl_read_exit_file(const char *path, int *status) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    char buf[32];
    ssize_t n = swl_read_full(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -EIO;
    buf[n] = 0;
    int v = 0, sign = 1, i = 0;
    if (buf[0] == '-') { sign = -1; i = 1; }
    for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) v = v * 10 + (buf[i] - '0');
    *status = sign * v;
    return 0;
}
