#include "swl_cgroup_bpf.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static long swl_bpf(int cmd, union bpf_attr *attr)
{
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t swl_ptr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

int swl_cgroup_device_prog_load(const uint64_t *insns, uint32_t insn_cnt, const char *license,
                                char *log_buf, uint32_t log_size)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = swl_ptr(insns);
    attr.insn_cnt = insn_cnt;
    attr.license = swl_ptr(license);

    long fd = swl_bpf(BPF_PROG_LOAD, &attr);
    if (fd < 0 && errno == EPERM) {
        /* Kernels before 5.11 charge programs to RLIMIT_MEMLOCK; raise it if we may. */
        struct rlimit lim = {RLIM_INFINITY, RLIM_INFINITY};
        if (setrlimit(RLIMIT_MEMLOCK, &lim) == 0)
            fd = swl_bpf(BPF_PROG_LOAD, &attr);
        else
            errno = EPERM;
    }
    if (fd < 0 && log_buf != NULL && log_size > 0) {
        /* Load again with logging only on failure: the verifier log is costly. */
        int saved = errno;
        log_buf[0] = '\0';
        attr.log_level = 1;
        attr.log_buf = swl_ptr(log_buf);
        attr.log_size = log_size;
        fd = swl_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
            return (int)fd;
        errno = saved;
    }
    return fd < 0 ? -errno : (int)fd;
}

int swl_cgroup_device_prog_query(int cgroup_fd, uint32_t *ids, uint32_t capacity)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = swl_ptr(ids);
    attr.query.prog_cnt = capacity;
    if (swl_bpf(BPF_PROG_QUERY, &attr) < 0 && errno != ENOSPC)
        return -errno;
    return (int)attr.query.prog_cnt;
}

static int swl_detach_id(int cgroup_fd, uint32_t id)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    long fd = swl_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    long rc = swl_bpf(BPF_PROG_DETACH, &attr);
    int err = errno;
    close((int)fd);
    if (rc < 0 && err != ENOENT)
        return -err;
    return 0;
}

int swl_cgroup_device_prog_attach(int cgroup_fd, int prog_fd)
{
    /* The kernel caps programs per cgroup and attach point at 64. */
    uint32_t old[64];
    int n = swl_cgroup_device_prog_query(cgroup_fd, old, 64);
    if (n < 0)
        return n;
    if (n > 64)
        n = 64;

    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (swl_bpf(BPF_PROG_ATTACH, &attr) < 0)
        return -errno;

    for (int i = 0; i < n; i++) {
        int rc = swl_detach_id(cgroup_fd, old[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

#include <sys/vfs.h>

long long swl_cgroup_fs_type(const char *path)
{
    struct statfs fs;
    if (statfs(path, &fs) != 0)
        return -errno;
    return (long long)fs.f_type;
}
