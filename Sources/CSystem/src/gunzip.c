// gzip members through zlib's inflate, resolved with dlopen so the binary never links libz.
#include "swl_gunzip.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef int (*inflate_init2_fn)(z_streamp, int, const char *, int);
typedef int (*inflate_fn)(z_streamp, int);
typedef int (*inflate_end_fn)(z_streamp);
typedef int (*inflate_reset_fn)(z_streamp);

static struct {
    inflate_init2_fn init2;
    inflate_fn inflate;
    inflate_end_fn end;
    inflate_reset_fn reset;
    char error[200];
} zlib;
static pthread_once_t zlib_once = PTHREAD_ONCE_INIT;

static void load_zlib(void) {
    void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(zlib.error, sizeof zlib.error, "cannot load zlib: %s", dlerror());
        return;
    }
    zlib.init2 = (inflate_init2_fn)dlsym(h, "inflateInit2_");
    zlib.inflate = (inflate_fn)dlsym(h, "inflate");
    zlib.end = (inflate_end_fn)dlsym(h, "inflateEnd");
    zlib.reset = (inflate_reset_fn)dlsym(h, "inflateReset");
    if (!zlib.init2 || !zlib.inflate || !zlib.end || !zlib.reset) {
        zlib.init2 = NULL;
        snprintf(zlib.error, sizeof zlib.error, "zlib lacks the inflate functions");
    }
}

struct swl_gunzip {
    z_stream s;
    int ended;
};

swl_gunzip *swl_gunzip_new(char *err, size_t errlen) {
    pthread_once(&zlib_once, load_zlib);
    if (!zlib.init2) {
        snprintf(err, errlen, "%s", zlib.error);
        return NULL;
    }
    swl_gunzip *z = calloc(1, sizeof *z);
    if (!z) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    // 15 + 16: a 32 KiB window and gzip framing only (no raw zlib streams).
    int rc = zlib.init2(&z->s, 15 + 16, ZLIB_VERSION, (int)sizeof(z_stream));
    if (rc != Z_OK) {
        snprintf(err, errlen, "inflateInit2 failed (%d)", rc);
        free(z);
        return NULL;
    }
    return z;
}

void swl_gunzip_free(swl_gunzip *z) {
    if (!z) return;
    zlib.end(&z->s);
    free(z);
}

int swl_gunzip_step(swl_gunzip *z, const void *in, size_t inlen, size_t *consumed,
                    void *out, size_t outcap, size_t *produced, char *err, size_t errlen) {
    *consumed = 0;
    *produced = 0;
    if (z->ended) {
        if (inlen == 0) return 1;
        zlib.reset(&z->s);
        z->ended = 0;
    }
    z->s.next_in = (Bytef *)in;
    z->s.avail_in = (uInt)(inlen > 0x40000000 ? 0x40000000 : inlen);
    z->s.next_out = (Bytef *)out;
    z->s.avail_out = (uInt)(outcap > 0x40000000 ? 0x40000000 : outcap);
    uInt avail_in = z->s.avail_in, avail_out = z->s.avail_out;
    int rc = zlib.inflate(&z->s, Z_NO_FLUSH);
    *consumed = avail_in - z->s.avail_in;
    *produced = avail_out - z->s.avail_out;
    switch (rc) {
    case Z_OK:
    case Z_BUF_ERROR:   // no progress possible with this input: the caller brings more
        return 0;
    case Z_STREAM_END:
        z->ended = 1;
        return 1;
    default:
        snprintf(err, errlen, "corrupt gzip data: %s", z->s.msg ? z->s.msg : "inflate failed");
        return -1;
    }
}
