// The flat description of a container that Swift prepares and C executes.
//
// Everything is resolved before clone: strings are absolute, masks are computed, the seccomp
// program is compiled. The code that runs in the forked monitor and in the container's init
// only applies this data with raw syscalls: it never allocates, never calls back into Swift and
// never takes a lock, because the parent is multithreaded and only async-signal-safe work is
// safe after fork.
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWL_STEP_MAX 480
// How long the parent waits for a word from init during creation before giving up.
#define SWL_INIT_SILENCE_SECONDS 120

// A mount from the spec's `mounts` list, already split into mount(2) arguments.
typedef struct swl_mount {
    const char *source;         // may be NULL for pseudo filesystems
    const char *destination;    // absolute path inside the container
    const char *fstype;         // NULL or "bind" for bind mounts
    unsigned long flags;        // MS_* flags (MS_BIND, MS_REC, MS_RDONLY, MS_NOSUID, ...)
    unsigned long propagation;  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC), or 0
    const char *data;           // filesystem-specific options, or NULL
} swl_mount;

// A device node to create under /dev (the default set plus the spec's linux.devices).
typedef struct swl_device {
    const char *path;           // absolute, inside the container
    mode_t mode;                // S_IFCHR/S_IFBLK/S_IFIFO | permission bits
    dev_t rdev;
    uid_t uid;
    gid_t gid;
} swl_device;

typedef struct swl_rlimit {
    int resource;
    rlim_t soft;
    rlim_t hard;
} swl_rlimit;

typedef struct swl_sysctl {
    const char *path;           // /proc/sys/... (dots already turned into slashes)
    const char *value;
} swl_sysctl;

typedef struct swl_hook {
    const char *path;
    char *const *argv;          // NULL-terminated
    char *const *envp;          // NULL-terminated
    int timeout_seconds;        // 0: no timeout
} swl_hook;

// A namespace the container joins instead of creating (setns by path).
typedef struct swl_ns_join {
    const char *path;
    int nstype;                 // CLONE_NEW* value
} swl_ns_join;

typedef struct swl_container_desc {
    const char *id;

    // Namespaces: the CLONE_NEW* flags to create (CLONE_NEWCGROUP is unshared by init after
    // it has been placed in its cgroup, so the new namespace is rooted there).
    int new_namespaces;
    const swl_ns_join *joins;
    int n_joins;
    const char *uid_map;        // contents for /proc/PID/uid_map, or NULL
    const char *gid_map;

    // cgroups: every cgroup.procs file init must be written into before it runs, and for
    // cgroup v2 a directory to clone into (CLONE_INTO_CGROUP), or NULL.
    const char *const *cgroup_procs;
    int n_cgroup_procs;
    const char *cgroup_v2_dir;

    // Root filesystem (only when a new mount namespace is created).
    const char *rootfs;         // absolute host path
    int rootfs_readonly;
    unsigned long rootfs_propagation;   // applied to "/" before anything is mounted
    const swl_mount *mounts;
    int n_mounts;
    const swl_device *devices;
    int n_devices;
    const char *const *masked_paths;
    int n_masked_paths;
    const char *const *readonly_paths;
    int n_readonly_paths;
    const swl_sysctl *sysctls;
    int n_sysctls;
    const char *hostname;
    const char *domainname;

    // The process.
    char *const *argv;          // NULL-terminated, argv[0] is the program as given
    char *const *envp;          // NULL-terminated
    const char *path_env;       // the container's PATH for lookup, or NULL
    const char *cwd;
    uid_t uid;
    gid_t gid;
    const gid_t *additional_gids;
    int n_additional_gids;
    int umask;                  // -1: leave as is
    const swl_rlimit *rlimits;
    int n_rlimits;
    int no_new_privileges;
    int has_oom_score_adj;
    int oom_score_adj;
    int has_capabilities;       // 0: keep what a root process has
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    const void *seccomp_filter; // struct sock_filter[], or NULL
    unsigned short seccomp_len;
    unsigned int seccomp_flags; // SECCOMP_FILTER_FLAG_*

    // stdio: -1 inherits the caller's descriptor.
    int stdin_fd, stdout_fd, stderr_fd;
    // With process.terminal: init makes a pty in the container, takes the slave as its
    // controlling terminal and stdio, and sends the master over this unix socket (SCM_RIGHTS),
    // as runc does with --console-socket. -1: no terminal.
    int console_socket_fd;
    unsigned short console_rows, console_cols;

    // Lifecycle.
    const char *exec_fifo;      // init blocks reading it until `start` writes one byte
    const char *exit_file;      // the monitor writes the exit status here
    const char *exec_error_file;// the monitor records a failed execve after start here
    int wants_hook_pause;       // init stops after preparing the rootfs so hooks can run
    const swl_hook *create_container_hooks;
    int n_create_container_hooks;
    const swl_hook *start_container_hooks;
    int n_start_container_hooks;
    char *state_buffer;         // receives the state JSON for in-container hooks
    size_t state_capacity;
} swl_container_desc;

// Messages init sends while it is being created.
enum swl_msg_type {
    SWL_MSG_ERROR = 1,          // step + errno: setup failed, init exits
    SWL_MSG_HOOKS = 2,          // namespaces and rootfs ready: run prestart/createRuntime, reply with state
    SWL_MSG_READY = 3,          // everything done, blocked on the exec fifo
};

typedef struct swl_msg {
    int type;
    int err;
    char step[SWL_STEP_MAX];
} swl_msg;

// A container being created: the handle the Swift side drives.
typedef struct swl_spawn {
    pid_t pid;                  // init, as the host sees it
    pid_t monitor_pid;          // the caller's child: reap it with swl_reap once its pipe closes
    int sync_fd;                // socket to init (messages, hook replies)
    int status_fd;              // pipe from the monitor: the exit status when init ends
} swl_spawn;

// Forks the monitor, which clones init. On success returns 0 and fills `out` with init's pid;
// the caller then reads messages with swl_spawn_next. On failure returns -errno and writes
// the failing step into `step` (SWL_STEP_MAX bytes).
int swl_spawn_begin(const swl_container_desc *desc, swl_spawn *out, char *step);

// Reads the next message from init. Returns 0 with `msg` filled, or -errno; -EPIPE when init
// went away without a word, -ETIMEDOUT when it said nothing for SWL_INIT_SILENCE_SECONDS.
int swl_spawn_next(swl_spawn *s, swl_msg *msg);

// Answers SWL_MSG_HOOKS: `ok` 0 aborts the container; the state JSON feeds in-container hooks.
int swl_spawn_reply(swl_spawn *s, int ok, const char *state_json, size_t len);

// Closes the sync socket (after READY or an error).
void swl_spawn_close_sync(swl_spawn *s);

// Blocks until the monitor reports init's exit. Returns the wait status (as waitpid gives
// it) or -errno; -EPIPE when the monitor vanished without a report.
int swl_spawn_wait(swl_spawn *s);

// Closes the status pipe without waiting.
void swl_spawn_release(swl_spawn *s);

// Waits for the monitor (a child of the caller) to exit and reaps it. Returns 0 or -errno
// (-ECHILD when it is not the caller's child, e.g. after the caller restarted).
int swl_reap(pid_t monitor);
// The same without blocking: -EAGAIN while the monitor still runs.
int swl_try_reap(pid_t monitor);

// Receives a descriptor sent with SCM_RIGHTS (the terminal master). Returns it, or -errno.
int swl_recv_fd(int sock);

// Signals init's start: opens the exec fifo without blocking and writes one byte.
// Returns 0, or -ENXIO when nobody is waiting on it (init is gone), or -errno.
int swl_exec_fifo_signal(const char *path);

// Reads the exit status file written by the monitor. Returns 0 with *status filled, -ENOENT
// when init has not exited (or the monitor never wrote it), or -errno.
int swl_read_exit_file(const char *path, int *status);

#ifdef __cplusplus
}
#endif
