// gzip decompression over zlib's inflate. zlib is loaded with dlopen on first use (like libcurl),
// so the binary does not link it and starts without it.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct swl_gunzip swl_gunzip;

// A new decompressor, or NULL with a reason in `err` (e.g. libz.so.1 missing).
swl_gunzip *swl_gunzip_new(char *err, size_t errlen);
void swl_gunzip_free(swl_gunzip *z);

// Inflates from `in` into `out`. Sets *consumed and *produced. Returns 0 to go on, 1 when a gzip
// member ended (further input starts another member), -1 on corrupt data with a reason in `err`.
int swl_gunzip_step(swl_gunzip *z, const void *in, size_t inlen, size_t *consumed,
                    void *out, size_t outcap, size_t *produced, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
