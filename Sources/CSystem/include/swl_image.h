// The image store's C helpers: SHA-256, gzip inflate, and file metadata calls Swift's Glibc
// module does not import.
#pragma once

#include "swl_sha256.h"
#include "swl_gunzip.h"
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// lsetxattr/lgetxattr (never follow a final symlink). 0 / size on success, -errno on failure.
int swl_lsetxattr(const char *path, const char *name, const void *value, size_t size);
long swl_lgetxattr(const char *path, const char *name, void *value, size_t size);
dev_t swl_makedev(unsigned int major, unsigned int minor);
unsigned int swl_major(dev_t dev);
unsigned int swl_minor(dev_t dev);

#ifdef __cplusplus
}
#endif
