#pragma once
#include <stdint.h>

/* Thin wrappers over bpf(2) for cgroup v2 device filtering. All return a negative errno on
 * failure so Swift callers can build typed errors without reading errno separately. */

/* Loads a BPF_PROG_TYPE_CGROUP_DEVICE program from `insn_cnt` encoded struct bpf_insn values.
 * On verifier failure the kernel log is copied into log_buf (may be NULL). Returns the fd. */
int swl_cgroup_device_prog_load(const uint64_t *insns, uint32_t insn_cnt, const char *license,
                                char *log_buf, uint32_t log_size);

/* Attaches prog_fd to the cgroup directory cgroup_fd (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI),
 * then detaches the device programs that were attached there before, so an update never leaves
 * a window without a filter. Returns 0. */
int swl_cgroup_device_prog_attach(int cgroup_fd, int prog_fd);

/* Writes up to `capacity` ids of device programs attached to cgroup_fd itself; returns the
 * number attached (may exceed capacity). */
int swl_cgroup_device_prog_query(int cgroup_fd, uint32_t *ids, uint32_t capacity);

/* statfs(2) f_type of `path` (CGROUP2_SUPER_MAGIC tells a unified hierarchy), or -errno.
 * Here because Swift's Glibc module does not import <sys/vfs.h>. */
long long swl_cgroup_fs_type(const char *path);
