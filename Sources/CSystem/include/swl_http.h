// A small synchronous HTTP client over libcurl's easy API. libcurl is loaded with dlopen on
// first use (like zlib in swl_gunzip), so the binary does not link it and a container start
// does not pay for loading it and its thirty dependent libraries.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Receives body bytes of a 2xx response as they arrive, on the calling thread. `status` is the
// final response's status (200 or 206 for a range). Return `len` to go on, anything else aborts
// the transfer (the request then fails with curl's write error).
typedef size_t (*swl_http_write_fn)(void *ctx, long status, const void *data, size_t len);

typedef struct swl_http_request {
    const char *method;             // "GET" or "HEAD"
    const char *url;
    const char *const *headers;     // "Name: value" lines
    int header_count;
    long long resume_from;          // > 0: send `Range: bytes=N-`
    int follow_redirects;           // follow up to 10 redirects
    long connect_timeout_ms;        // 0: curl's default
    long low_speed_seconds;         // abort when under 1 byte/s for this long (0: never)
    long timeout_ms;                // whole transfer (0: no limit)
    const char *ca_path;            // CA bundle file, NULL: the system's
    int insecure;                   // do not verify the TLS peer (insecure registries only)
    swl_http_write_fn write;        // NULL: the body is collected into response.body
    void *write_ctx;
    size_t max_body;                // cap on a collected body (error bodies always capped at 64 KiB)
} swl_http_request;

typedef struct swl_http_response {
    long status;                    // 0 if no response arrived
    char *headers;                  // the final response's header lines, NUL-terminated (malloc)
    size_t headers_len;
    char *body;                     // collected body (non-2xx bodies always), NUL-terminated (malloc)
    size_t body_len;
    int curl_code;                  // CURLcode, 0 on success
    char error[512];                // curl's message when curl_code != 0
} swl_http_response;

// Performs one request. Returns 0 when a response was received (any status), -1 on a transport
// error (no libcurl, connection refused, reset, TLS, timeout, aborted write) with
// response->curl_code (-1 if libcurl could not be loaded) and response->error set.
int swl_http_perform(const swl_http_request *request, swl_http_response *response);
void swl_http_response_free(swl_http_response *response);

#ifdef __cplusplus
}
#endif
