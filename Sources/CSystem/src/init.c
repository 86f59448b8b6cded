// The container's init between clone and execve: joins namespaces, prepares the root
// filesystem, drops privileges, waits for `start`, and executes the user's program. Every
// failure before READY goes back to the parent with the step and errno; after READY it goes
// to the monitor, which records it next to the exit status.
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const char *ns_name(int nstype) {
    switch (nstype) {
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWNS: return "mount";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWNET: return "network";
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWCGROUP: return "cgroup";
    default: return "unknown";
    }
}

// The user namespace first (it decides what the others may do), the mount namespace last
// (paths of the others are resolved in the caller's mount namespace).
static void join_namespaces(swl_init_ctx *ctx) {
    static const int order[] = {CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                                CLONE_NEWCGROUP, CLONE_NEWNS};
    const swl_container_desc *d = ctx->desc;
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
        for (int i = 0; i < d->n_joins; i++) {
            if (d->joins[i].nstype != order[o]) continue;
            int fd = open(d->joins[i].path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                swl_init_fail(ctx->sync_fd, errno, "open %s namespace \"%s\"",
                              ns_name(order[o]), d->joins[i].path);
            if (setns(fd, order[o]) < 0)
                swl_init_fail(ctx->sync_fd, errno, "join %s namespace \"%s\"",
                              ns_name(order[o]), d->joins[i].path);
            close(fd);
        }
    }
}

// glibc's set*id wrappers signal every thread of the process to change credentials too. After
// a raw clone glibc still believes the parent's threads exist and would wait for them forever,
// so init changes its credentials with the system calls themselves.
static long raw_setresuid(uid_t id) { return syscall(SYS_setresuid, id, id, id); }
static long raw_setresgid(gid_t id) { return syscall(SYS_setresgid, id, id, id); }

static void set_identity_in_new_userns(swl_init_ctx *ctx) {
    if (raw_setresgid(0) < 0) swl_init_fail(ctx->sync_fd, errno, "setresgid 0 in user namespace");
    if (raw_setresuid(0) < 0) swl_init_fail(ctx->sync_fd, errno, "setresuid 0 in user namespace");
}

static void set_names(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    if (d->hostname && sethostname(d->hostname, strlen(d->hostname)) < 0)
        swl_init_fail(ctx->sync_fd, errno, "sethostname \"%s\"", d->hostname);
    if (d->domainname && setdomainname(d->domainname, strlen(d->domainname)) < 0)
        swl_init_fail(ctx->sync_fd, errno, "setdomainname \"%s\"", d->domainname);
}

static void set_oom_score_adj(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    if (!d->has_oom_score_adj) return;
    char value[16];
    swl_fmt(value, sizeof value, "%d", d->oom_score_adj);
    int rc = swl_write_file("/proc/self/oom_score_adj", value, strlen(value));
    if (rc < 0) swl_init_fail(ctx->sync_fd, -rc, "write oom_score_adj %d", d->oom_score_adj);
}

static void set_rlimits(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    for (int i = 0; i < d->n_rlimits; i++) {
        struct rlimit rl = {.rlim_cur = d->rlimits[i].soft, .rlim_max = d->rlimits[i].hard};
        if (setrlimit(d->rlimits[i].resource, &rl) < 0)
            swl_init_fail(ctx->sync_fd, errno, "setrlimit %d", d->rlimits[i].resource);
    }
}

static void set_stdio(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    const int fds[3] = {d->stdin_fd, d->stdout_fd, d->stderr_fd};
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 0 || fds[i] == i) continue;
        if (dup2(fds[i], i) < 0) swl_init_fail(ctx->sync_fd, errno, "dup2 stdio %d", i);
    }
}

static int send_fd(int sock, int fd) {
    char tag = 't';
    struct iovec iov = {.iov_base = &tag, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

// The pty comes from the container's own devpts (after pivot_root, or after joining its mount
// namespace), so the slave is a device the container can see and use.
static void set_console(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    int fd = ctx->sync_fd;
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) swl_init_fail(fd, errno, "open /dev/ptmx");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) swl_init_fail(fd, errno, "unlock pty");
    // TIOCGPTPEER opens the slave through the master, without a path lookup.
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) swl_init_fail(fd, errno, "open pty slave");
    if (d->console_rows && d->console_cols) {
        struct winsize ws = {.ws_row = d->console_rows, .ws_col = d->console_cols};
        (void)ioctl(slave, TIOCSWINSZ, &ws);
    }
    int rc = send_fd(d->console_socket_fd, master);
    if (rc < 0) swl_init_fail(fd, -rc, "send terminal to the console socket");
    close(master);
    close(d->console_socket_fd);
    if (ioctl(slave, TIOCSCTTY, 0) < 0) swl_init_fail(fd, errno, "make the pty the controlling terminal");
    for (int i = 0; i < 3; i++)
        if (dup2(slave, i) < 0) swl_init_fail(fd, errno, "dup2 pty to stdio %d", i);
    if (slave > 2) close(slave);
}

// Finds the program the way execvp would, but without allocating, inside the container's root.
static void resolve_program(swl_init_ctx *ctx, char *out, size_t size) {
    const swl_container_desc *d = ctx->desc;
    const char *prog = d->argv[0];
    if (prog == NULL || prog[0] == 0) swl_init_fail(ctx->sync_fd, EINVAL, "exec: no program given");
    struct stat st;
    if (strchr(prog, '/')) {
        if (stat(prog, &st) < 0) swl_init_fail(ctx->sync_fd, errno, "exec \"%s\"", prog);
        if (S_ISDIR(st.st_mode)) swl_init_fail(ctx->sync_fd, EISDIR, "exec \"%s\"", prog);
        swl_fmt(out, size, "%s", prog);
        return;
    }
    const char *path = d->path_env ? d->path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int last_err = ENOENT;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len > 0 && len + strlen(prog) + 2 <= size) {
            memcpy(out, path, len);
            out[len] = '/';
            strcpy(out + len + 1, prog);
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
                if (access(out, X_OK) == 0) return;
                last_err = EACCES;
            }
        }
        if (!colon) break;
        path = colon + 1;
    }
    swl_init_fail(ctx->sync_fd, last_err, "exec \"%s\": not found in PATH", prog);
}

static int load_seccomp(const swl_container_desc *d) {
    if (d->seccomp_filter == NULL) return 0;
    struct sock_fprog prog = {.len = d->seccomp_len, .filter = (struct sock_filter *)d->seccomp_filter};
    if (d->seccomp_flags == 0) return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, d->seccomp_flags, &prog) < 0 ? -errno : 0;
}

static int last_cap(void) {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return CAP_LAST_CAP;
    char buf[16];
    ssize_t n = swl_read_full(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return CAP_LAST_CAP;
    int v = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) v = v * 10 + (buf[i] - '0');
    return v;
}

// The order matters: the bounding set is dropped while CAP_SETPCAP is still held; uid and
// gid change with KEEPCAPS so permitted survives; capset then narrows the sets; ambient last.
static void set_credentials(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    int fd = ctx->sync_fd;
    if (d->has_capabilities) {
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) swl_init_fail(fd, errno, "prctl PR_SET_KEEPCAPS");
        int last = last_cap();
        for (int cap = 0; cap <= last && cap < 64; cap++) {
            if (d->cap_bounding & (1ULL << cap)) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                swl_init_fail(fd, errno, "drop capability %d from the bounding set", cap);
        }
    }
    if (!d->no_new_privileges) {
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which is about to go.
        int rc = load_seccomp(d);
        if (rc < 0) swl_init_fail(fd, -rc, "load seccomp filter");
    }
    if (syscall(SYS_setgroups, (size_t)d->n_additional_gids, d->additional_gids) < 0)
        swl_init_fail(fd, errno, "setgroups");
    if (raw_setresgid(d->gid) < 0) swl_init_fail(fd, errno, "setresgid %u", d->gid);
    if (raw_setresuid(d->uid) < 0) swl_init_fail(fd, errno, "setresuid %u", d->uid);
    if (d->has_capabilities) {
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof data);
        for (int i = 0; i < 2; i++) {
            data[i].effective = (uint32_t)(d->cap_effective >> (32 * i));
            data[i].permitted = (uint32_t)(d->cap_permitted >> (32 * i));
            data[i].inheritable = (uint32_t)(d->cap_inheritable >> (32 * i));
        }
        if (syscall(SYS_capset, &hdr, data) < 0) swl_init_fail(fd, errno, "capset");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
            swl_init_fail(fd, errno, "clear ambient capabilities");
        for (int cap = 0; cap < 64; cap++) {
            if (!(d->cap_ambient & (1ULL << cap))) continue;
            // The kernel raises only caps that are also permitted and inheritable; like runc,
            // a spec asking for more gets what is possible rather than a failure.
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
                swl_init_fail(fd, errno, "raise ambient capability %d", cap);
        }
        (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    }
    if (d->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        swl_init_fail(fd, errno, "prctl PR_SET_NO_NEW_PRIVS");
}

// Stops after the rootfs is mounted so the parent can run prestart/createRuntime hooks with
// init's pid, then runs createContainer hooks here, in the container's namespaces.
static void pause_for_hooks(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    swl_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.type = SWL_MSG_HOOKS;
    if (swl_write_all(ctx->sync_fd, &msg, sizeof msg) < 0) _exit(1);
    struct {
        int ok;
        unsigned int len;
    } header;
    ssize_t n;
    do n = recv(ctx->sync_fd, &header, sizeof header, 0); while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof header || !header.ok) _exit(1);  // the parent aborted the creation
    size_t len = 0;
    if (header.len > 0) {
        if (d->state_buffer == NULL || header.len >= d->state_capacity)
            swl_init_fail(ctx->sync_fd, EMSGSIZE, "receive container state for hooks");
        do n = recv(ctx->sync_fd, d->state_buffer, d->state_capacity - 1, 0); while (n < 0 && errno == EINTR);
        if (n < 0) swl_init_fail(ctx->sync_fd, errno, "receive container state for hooks");
        len = (size_t)n;
        d->state_buffer[len] = 0;
    }
    char step[SWL_STEP_MAX];
    int rc = swl_run_hooks(d->create_container_hooks, d->n_create_container_hooks, d->state_buffer,
                           len, "createContainer", step, sizeof step);
    if (rc < 0) swl_init_fail(ctx->sync_fd, -rc, "%s", step);
}

static __attribute__((noreturn)) void fail_after_ready(swl_init_ctx *ctx, int err, const char *step) {
    swl_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.type = SWL_MSG_ERROR;
    msg.err = err;
    swl_fmt(msg.step, sizeof msg.step, "%s", step);
    (void)swl_write_all(ctx->exec_err_fd, &msg, sizeof msg);
    _exit(127);
}

void swl_init_main(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    swl_reset_signals();
    // If the monitor dies, init must not live on unsupervised.
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

    char go;
    if (swl_read_full(ctx->go_fd, &go, 1) != 1) _exit(1);  // the monitor failed; it reports why
    close(ctx->go_fd);

    join_namespaces(ctx);
    if (d->new_namespaces & CLONE_NEWUSER) set_identity_in_new_userns(ctx);
    if ((d->new_namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        swl_init_fail(ctx->sync_fd, errno, "unshare cgroup namespace");

    int own_mounts = (d->new_namespaces & CLONE_NEWNS) && d->rootfs != NULL;
    if (own_mounts) swl_rootfs_prepare(ctx);
    set_oom_score_adj(ctx);
    if (d->wants_hook_pause) pause_for_hooks(ctx);
    if (own_mounts) swl_rootfs_finish(ctx);
    if (d->new_namespaces & CLONE_NEWUTS) set_names(ctx);
    set_rlimits(ctx);
    if (setsid() < 0) swl_init_fail(ctx->sync_fd, errno, "setsid");
    if (d->console_socket_fd >= 0) set_console(ctx);
    else set_stdio(ctx);
    if (d->umask >= 0) umask((mode_t)d->umask);

    if (d->cwd && chdir(d->cwd) < 0) swl_init_fail(ctx->sync_fd, errno, "chdir \"%s\"", d->cwd);
    char program[PATH_MAX];
    resolve_program(ctx, program, sizeof program);
    set_credentials(ctx);

    swl_msg ready;
    memset(&ready, 0, sizeof ready);
    ready.type = SWL_MSG_READY;
    (void)swl_write_all(ctx->sync_fd, &ready, sizeof ready);
    close(ctx->sync_fd);

    if (ctx->fifo_fd >= 0) {
        char b;
        ssize_t n;
        do n = read(ctx->fifo_fd, &b, 1); while (n < 0 && errno == EINTR);
        if (n != 1) fail_after_ready(ctx, n < 0 ? errno : EPIPE, "wait for start");
        close(ctx->fifo_fd);
    }

    char step[SWL_STEP_MAX];
    if (d->n_start_container_hooks > 0) {
        int rc = swl_run_hooks(d->start_container_hooks, d->n_start_container_hooks, d->state_buffer,
                               d->state_buffer ? strlen(d->state_buffer) : 0, "startContainer", step,
                               sizeof step);
        if (rc < 0) fail_after_ready(ctx, -rc, step);
    }
    if (d->no_new_privileges) {
        // Last, so the filter needs to allow nothing but what the user's program does.
        int rc = load_seccomp(d);
        if (rc < 0) fail_after_ready(ctx, -rc, "load seccomp filter");
    }
    // Nothing of the caller's may leak into the container but stdio.
    (void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(program, d->argv, d->envp);
    swl_fmt(step, sizeof step, "exec \"%s\"", d->argv[0]);
    fail_after_ready(ctx, errno, step);
}
