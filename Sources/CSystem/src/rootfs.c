// The container's root filesystem, set up by init in its new mount namespace.
//
// Destinations come from an image the user controls, so every path inside the rootfs is
// resolved with openat2(RESOLVE_IN_ROOT): a symlink in the image cannot point a mount at the
// host. Mounts then target the resolved descriptor through /proc/self/fd.
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int g_rootfd = -1;

static int open_in_root(const char *path, int flags) {
    while (*path == '/') path++;
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    if (*path == 0) path = ".";
    return (int)syscall(SYS_openat2, g_rootfd, path, &how, sizeof how);
}

// Creates `path` (absolute inside the container) and its parents below the root; the last
// component as an empty file when `as_file`. Returns an O_PATH descriptor of it, or -errno.
static int make_in_root(const char *path, int as_file) {
    char prefix[4096];
    size_t len = strlen(path);
    if (len >= sizeof prefix) return -ENAMETOOLONG;
    int parent = open_in_root("", O_PATH | O_DIRECTORY);
    if (parent < 0) return -errno;
    size_t i = 0;
    while (i < len) {
        while (i < len && path[i] == '/') i++;
        if (i >= len) break;
        size_t start = i;
        while (i < len && path[i] != '/') i++;
        int last = (i >= len) || (strspn(path + i, "/") == len - i);
        memcpy(prefix, path, i);
        prefix[i] = 0;
        int fd = open_in_root(prefix, O_PATH);
        if (fd < 0 && errno == ENOENT) {
            char name[256];
            size_t nlen = i - start;
            if (nlen >= sizeof name) { close(parent); return -ENAMETOOLONG; }
            memcpy(name, path + start, nlen);
            name[nlen] = 0;
            int rc;
            if (last && as_file) {
                int f = openat(parent, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                rc = f < 0 ? -errno : 0;
                if (f >= 0) close(f);
            } else {
                rc = mkdirat(parent, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
            }
            if (rc < 0) { close(parent); return rc; }
            fd = open_in_root(prefix, O_PATH);
        }
        if (fd < 0) { int e = errno; close(parent); return -e; }
        close(parent);
        parent = fd;
    }
    return parent;
}

static void fd_path(char *buf, size_t size, int fd) {
    swl_fmt(buf, size, "/proc/self/fd/%d", fd);
}

// Flags the kernel locks on a mount we did not create; a remount that drops them fails.
static unsigned long locked_flags(const char *target) {
    struct statvfs sv;
    if (statvfs(target, &sv) < 0) return 0;
    unsigned long f = 0;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

static void mount_one(swl_init_ctx *ctx, const swl_mount *m) {
    int sync = ctx->sync_fd;
    int is_bind = (m->flags & MS_BIND) != 0;
    int as_file = 0;
    if (is_bind) {
        struct stat st;
        if (stat(m->source, &st) < 0)
            swl_init_fail(sync, errno, "mount \"%s\": bind source \"%s\"", m->destination, m->source);
        as_file = !S_ISDIR(st.st_mode);
    }
    int fd = make_in_root(m->destination, as_file);
    if (fd < 0) swl_init_fail(sync, -fd, "mount \"%s\": create mount point", m->destination);
    char target[64];
    fd_path(target, sizeof target, fd);
    const char *type = m->fstype ? m->fstype : "none";
    if (is_bind) {
        if (mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
            swl_init_fail(sync, errno, "bind mount \"%s\" on \"%s\"", m->source, m->destination);
    } else if (mount(m->source ? m->source : type, target, type, m->flags, m->data) < 0) {
        swl_init_fail(sync, errno, "mount %s on \"%s\"", type, m->destination);
    }
    close(fd);
    const unsigned long remount_bits =
        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
    unsigned long extra = m->flags & remount_bits;
    if ((is_bind && extra) || m->propagation) {
        // Reopen: the old descriptor names the covered directory, not the new mount.
        fd = open_in_root(m->destination, O_PATH);
        if (fd < 0) swl_init_fail(sync, errno, "mount \"%s\": reopen", m->destination);
        fd_path(target, sizeof target, fd);
        if (is_bind && extra &&
            mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | extra | locked_flags(target), NULL) < 0)
            swl_init_fail(sync, errno, "remount \"%s\" with options", m->destination);
        if (m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
            swl_init_fail(sync, errno, "set propagation of \"%s\"", m->destination);
        close(fd);
    }
}

static void split_parent(const char *path, char *dir, size_t dsize, const char **base) {
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    if (dlen >= dsize) dlen = dsize - 1;
    memcpy(dir, path, dlen);
    dir[dlen] = 0;
    *base = slash ? slash + 1 : path;
}

static void make_device(swl_init_ctx *ctx, const swl_device *dev) {
    int sync = ctx->sync_fd;
    char dir[4096];
    const char *base;
    split_parent(dev->path, dir, sizeof dir, &base);
    int dirfd = make_in_root(dir[0] ? dir : "/", 0);
    if (dirfd < 0) swl_init_fail(sync, -dirfd, "create device \"%s\": parent", dev->path);
    // O_PATH descriptors do not work with mknodat on every kernel: use a real one.
    char dpath[64];
    fd_path(dpath, sizeof dpath, dirfd);
    int real = open(dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(dirfd);
    if (real < 0) swl_init_fail(sync, errno, "create device \"%s\": open parent", dev->path);
    (void)unlinkat(real, base, 0);
    if (mknodat(real, base, dev->mode, dev->rdev) < 0) {
        if (errno != EPERM) swl_init_fail(sync, errno, "mknod \"%s\"", dev->path);
        // In a user namespace mknod is refused: bind the host's node instead, as runc does.
        int f = openat(real, base, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (f < 0) swl_init_fail(sync, errno, "create device \"%s\": bind target", dev->path);
        char fpath[64];
        fd_path(fpath, sizeof fpath, f);
        if (mount(dev->path, fpath, NULL, MS_BIND, NULL) < 0)
            swl_init_fail(sync, errno, "bind device \"%s\"", dev->path);
        close(f);
    } else if (fchownat(real, base, dev->uid, dev->gid, AT_SYMLINK_NOFOLLOW) < 0) {
        swl_init_fail(sync, errno, "chown device \"%s\"", dev->path);
    }
    close(real);
}

static void make_dev_links(void) {
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"},         {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"},   {"pts/ptmx", "ptmx"},         {"/proc/kcore", "core"},
    };
    int dev = open_in_root("/dev", O_PATH | O_DIRECTORY);
    if (dev < 0) return;
    char dpath[64];
    fd_path(dpath, sizeof dpath, dev);
    int real = open(dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(dev);
    if (real < 0) return;
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        struct stat st;
        if (fstatat(real, links[i][1], &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
        (void)symlinkat(links[i][0], real, links[i][1]);
    }
    close(real);
}

void swl_rootfs_prepare(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    int sync = ctx->sync_fd;
    // Nothing we mount may propagate back to the host.
    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        swl_init_fail(sync, errno, "make / a recursive slave");
    // pivot_root needs the new root to be a mount point.
    if (mount(d->rootfs, d->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        swl_init_fail(sync, errno, "bind rootfs \"%s\"", d->rootfs);
    g_rootfd = open(d->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g_rootfd < 0) swl_init_fail(sync, errno, "open rootfs \"%s\"", d->rootfs);
    for (int i = 0; i < d->n_mounts; i++) mount_one(ctx, &d->mounts[i]);
    for (int i = 0; i < d->n_devices; i++) make_device(ctx, &d->devices[i]);
    if (d->n_devices > 0) make_dev_links();
    if (d->cwd) {
        int fd = make_in_root(d->cwd, 0);
        if (fd < 0) swl_init_fail(sync, -fd, "create cwd \"%s\"", d->cwd);
        close(fd);
    }
}

static void pivot_into_rootfs(swl_init_ctx *ctx) {
    int sync = ctx->sync_fd;
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (oldroot < 0) swl_init_fail(sync, errno, "pivot_root: open /");
    int newroot = open(ctx->desc->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (newroot < 0) swl_init_fail(sync, errno, "pivot_root: open rootfs");
    if (fchdir(newroot) < 0) swl_init_fail(sync, errno, "pivot_root: chdir rootfs");
    // pivot_root(".", ".") stacks the old root on top of the new one; unmounting it from
    // there avoids needing a directory for it inside the image.
    if (syscall(SYS_pivot_root, ".", ".") < 0) swl_init_fail(sync, errno, "pivot_root");
    if (fchdir(oldroot) < 0) swl_init_fail(sync, errno, "pivot_root: chdir old root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        swl_init_fail(sync, errno, "pivot_root: make old root a slave");
    if (umount2(".", MNT_DETACH) < 0) swl_init_fail(sync, errno, "pivot_root: unmount old root");
    if (chdir("/") < 0) swl_init_fail(sync, errno, "pivot_root: chdir /");
    close(oldroot);
    close(newroot);
    if (g_rootfd >= 0) close(g_rootfd);
    g_rootfd = -1;
}

static void mask_path(swl_init_ctx *ctx, const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return;
        swl_init_fail(ctx->sync_fd, errno, "mask \"%s\"", path);
    }
    int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL)
                                 : mount("/dev/null", path, NULL, MS_BIND, NULL);
    if (rc < 0) swl_init_fail(ctx->sync_fd, errno, "mask \"%s\"", path);
}

static void readonly_path(swl_init_ctx *ctx, const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        swl_init_fail(ctx->sync_fd, errno, "make \"%s\" read-only: bind", path);
    }
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(path), NULL) < 0)
        swl_init_fail(ctx->sync_fd, errno, "make \"%s\" read-only: remount", path);
}

void swl_rootfs_finish(swl_init_ctx *ctx) {
    const swl_container_desc *d = ctx->desc;
    int sync = ctx->sync_fd;
    pivot_into_rootfs(ctx);
    for (int i = 0; i < d->n_sysctls; i++) {
        int rc = swl_write_file(d->sysctls[i].path, d->sysctls[i].value, strlen(d->sysctls[i].value));
        if (rc < 0) swl_init_fail(sync, -rc, "sysctl %s", d->sysctls[i].path);
    }
    for (int i = 0; i < d->n_readonly_paths; i++) readonly_path(ctx, d->readonly_paths[i]);
    for (int i = 0; i < d->n_masked_paths; i++) mask_path(ctx, d->masked_paths[i]);
    if (d->rootfs_readonly &&
        mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), NULL) < 0)
        swl_init_fail(sync, errno, "remount / read-only");
    if (d->rootfs_propagation && mount(NULL, "/", NULL, d->rootfs_propagation, NULL) < 0)
        swl_init_fail(sync, errno, "set rootfs propagation");
}
