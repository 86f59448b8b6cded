// SHA-256 (FIPS 180-4), streaming. Content addresses for the image store.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct swl_sha256 {
    uint32_t state[8];
    uint64_t length;        // bytes absorbed so far
    uint8_t block[64];      // pending partial block
    size_t used;            // bytes pending in block
} swl_sha256;

void swl_sha256_init(swl_sha256 *ctx);
void swl_sha256_update(swl_sha256 *ctx, const void *data, size_t size);
// Writes the 32-byte digest. The context is spent afterwards: init it again to reuse.
void swl_sha256_final(swl_sha256 *ctx, uint8_t out[32]);

#ifdef __cplusplus
}
#endif
