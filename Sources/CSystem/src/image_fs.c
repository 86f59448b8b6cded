// File metadata calls for layer unpacking.
#include "swl_image.h"
#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

int swl_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
    return lsetxattr(path, name, value, size, 0) < 0 ? -errno : 0;
}

long swl_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    ssize_t n = lgetxattr(path, name, value, size);
    return n < 0 ? -errno : (long)n;
}

dev_t swl_makedev(unsigned int major, unsigned int minor) { return makedev(major, minor); }
unsigned int swl_major(dev_t dev) { return major(dev); }
unsigned int swl_minor(dev_t dev) { return minor(dev); }
