// HTTP requests through libcurl's easy API, with libcurl resolved by dlopen on first use so the
// binary never links it (see swl_http.h).
#include "swl_http.h"
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef CURLcode (*global_init_fn)(long);
typedef CURL *(*easy_init_fn)(void);
typedef CURLcode (*easy_setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*easy_perform_fn)(CURL *);
typedef void (*easy_cleanup_fn)(CURL *);
typedef CURLcode (*easy_getinfo_fn)(CURL *, CURLINFO, ...);
typedef const char *(*easy_strerror_fn)(CURLcode);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *, const char *);
typedef void (*slist_free_all_fn)(struct curl_slist *);

static struct {
    easy_init_fn easy_init;
    easy_setopt_fn setopt;
    easy_perform_fn perform;
    easy_cleanup_fn cleanup;
    easy_getinfo_fn getinfo;
    easy_strerror_fn strerror;
    slist_append_fn slist_append;
    slist_free_all_fn slist_free_all;
    int ready;
    char error[300];
} curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load_curl(void) {
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(curl.error, sizeof curl.error, "cannot load libcurl (install libcurl4): %s", dlerror());
        return;
    }
    global_init_fn global_init = (global_init_fn)dlsym(h, "curl_global_init");
    curl.easy_init = (easy_init_fn)dlsym(h, "curl_easy_init");
    curl.setopt = (easy_setopt_fn)dlsym(h, "curl_easy_setopt");
    curl.perform = (easy_perform_fn)dlsym(h, "curl_easy_perform");
    curl.cleanup = (easy_cleanup_fn)dlsym(h, "curl_easy_cleanup");
    curl.getinfo = (easy_getinfo_fn)dlsym(h, "curl_easy_getinfo");
    curl.strerror = (easy_strerror_fn)dlsym(h, "curl_easy_strerror");
    curl.slist_append = (slist_append_fn)dlsym(h, "curl_slist_append");
    curl.slist_free_all = (slist_free_all_fn)dlsym(h, "curl_slist_free_all");
    if (!global_init || !curl.easy_init || !curl.setopt || !curl.perform || !curl.cleanup ||
        !curl.getinfo || !curl.strerror || !curl.slist_append || !curl.slist_free_all) {
        snprintf(curl.error, sizeof curl.error, "libcurl.so.4 lacks the easy API functions");
        return;
    }
    // Once per process (pthread_once): curl_global_init is not thread-safe itself.
    CURLcode rc = global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        snprintf(curl.error, sizeof curl.error, "curl_global_init failed (%d)", (int)rc);
        return;
    }
    curl.ready = 1;
}

#define ERROR_BODY_CAP (64 * 1024)

struct transfer {
    const swl_http_request *req;
    swl_http_response *resp;
    long status;          // of the response being received (redirects reset it)
    size_t body_cap;
    int too_large;
    long long range_start;   // from a 206's Content-Range, -1 if none
    int bad_range;
};

static int append(char **buf, size_t *len, const char *data, size_t n) {
    char *p = realloc(*buf, *len + n + 1);
    if (!p) return -1;
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = 0;
    *buf = p;
    return 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx) {
    struct transfer *t = ctx;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        // A new response (after a redirect or a 100 Continue): keep only the last one's headers.
        t->resp->headers_len = 0;
        if (t->resp->headers) t->resp->headers[0] = 0;
        const char *sp = memchr(data, ' ', n);
        t->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        t->range_start = -1;
    } else if (n > 14 && strncasecmp(data, "Content-Range:", 14) == 0) {
        const char *p = data + 14;
        while (p < data + n && (*p == ' ' || *p == '\t')) p++;
        if (p + 6 <= data + n && strncasecmp(p, "bytes ", 6) == 0) t->range_start = strtoll(p + 6, NULL, 10);
    }
    if (append(&t->resp->headers, &t->resp->headers_len, data, n) < 0) return 0;
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx) {
    struct transfer *t = ctx;
    size_t n = size * nmemb;
    int ok = t->status >= 200 && t->status < 300;
    if (ok && t->status == 206 && t->req->resume_from > 0 && t->range_start != t->req->resume_from) {
        t->bad_range = 1;   // a range other than the one asked for: never splice it in
        return 0;
    }
    if (ok && t->req->write) return t->req->write(t->req->write_ctx, t->status, data, n);
    size_t cap = ok ? t->body_cap : ERROR_BODY_CAP;
    if (t->resp->body_len + n > cap) {
        if (ok) { t->too_large = 1; return 0; }
        n = cap > t->resp->body_len ? cap - t->resp->body_len : 0;   // an error body: truncate
        if (n && append(&t->resp->body, &t->resp->body_len, data, n) < 0) return 0;
        return size * nmemb;
    }
    if (n && append(&t->resp->body, &t->resp->body_len, data, n) < 0) return 0;
    return n;
}

int swl_http_perform(const swl_http_request *req, swl_http_response *resp) {
    memset(resp, 0, sizeof *resp);
    pthread_once(&curl_once, load_curl);
    if (!curl.ready) {
        resp->curl_code = -1;
        snprintf(resp->error, sizeof resp->error, "%s", curl.error);
        return -1;
    }
    CURL *h = curl.easy_init();
    if (!h) {
        resp->curl_code = -1;
        snprintf(resp->error, sizeof resp->error, "curl_easy_init failed");
        return -1;
    }
    struct transfer t = {req, resp, 0, req->max_body ? req->max_body : 4 * 1024 * 1024, 0, -1, 0};
    char errbuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist *headers = NULL;
    for (int i = 0; i < req->header_count; i++) {
        struct curl_slist *next = curl.slist_append(headers, req->headers[i]);
        if (!next) break;
        headers = next;
    }
    int head = req->method && strcmp(req->method, "HEAD") == 0;
    curl.setopt(h, CURLOPT_URL, req->url);
    if (head) curl.setopt(h, CURLOPT_NOBODY, 1L);
    else if (req->method && strcmp(req->method, "GET") != 0) curl.setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    curl.setopt(h, CURLOPT_HTTPHEADER, headers);
    curl.setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl.setopt(h, CURLOPT_NOSIGNAL, 1L);          // threads: no SIGALRM for DNS timeouts
    curl.setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl.setopt(h, CURLOPT_HEADERDATA, &t);
    curl.setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl.setopt(h, CURLOPT_WRITEDATA, &t);
    curl.setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl.setopt(h, CURLOPT_USERAGENT, "swiftlet");
    curl.setopt(h, CURLOPT_ACCEPT_ENCODING, "identity");  // blob bytes exactly as stored
    if (req->follow_redirects) {
        curl.setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl.setopt(h, CURLOPT_MAXREDIRS, 10L);
    }
    // CURLOPT_RANGE, not RESUME_FROM: the latter fails when a server answers 200 with the
    // whole body; the caller skips the prefix it holds instead.
    char range[32];
    if (req->resume_from > 0) {
        snprintf(range, sizeof range, "%lld-", req->resume_from);
        curl.setopt(h, CURLOPT_RANGE, range);
    }
    if (req->connect_timeout_ms > 0) curl.setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    if (req->timeout_ms > 0) curl.setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    if (req->low_speed_seconds > 0) {
        curl.setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl.setopt(h, CURLOPT_LOW_SPEED_TIME, req->low_speed_seconds);
    }
    if (req->ca_path) curl.setopt(h, CURLOPT_CAINFO, req->ca_path);
    if (req->insecure) {
        curl.setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl.setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    CURLcode rc = curl.perform(h);
    long status = 0;
    curl.getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    resp->status = status;
    if (!resp->body) append(&resp->body, &resp->body_len, "", 0);
    if (!resp->headers) append(&resp->headers, &resp->headers_len, "", 0);
    curl.slist_free_all(headers);
    curl.cleanup(h);
    if (rc != CURLE_OK) {
        resp->curl_code = (int)rc;
        if (t.bad_range)
            snprintf(resp->error, sizeof resp->error, "server sent a range starting at byte %lld, not %lld",
                     t.range_start, req->resume_from);
        else if (t.too_large)
            snprintf(resp->error, sizeof resp->error, "response body larger than %zu bytes", t.body_cap);
        else
            snprintf(resp->error, sizeof resp->error, "%s", errbuf[0] ? errbuf : curl.strerror(rc));
        return -1;
    }
    return 0;
}

void swl_http_response_free(swl_http_response *resp) {
    free(resp->headers);
    free(resp->body);
    resp->headers = resp->body = NULL;
    resp->headers_len = resp->body_len = 0;
}
