#!/usr/bin/env python3
"""A tiny fake OCI registry on loopback for the registry client tests. It serves an OCI image
layout (index.json tags, blobs/sha256) read-only and can misbehave on purpose:

  --bearer USER:PASS   demand a bearer token from its own /token endpoint (Basic USER:PASS there)
  --corrupt DIGEST     serve that blob with one byte flipped
  --cut DIGEST:N       the first GET of that blob sends N bytes of a full-length reply and closes
  --flaky N            answer the first N manifest requests with 503
  --ignore-range       answer a Range request with the whole blob (200), as some servers do
  --redirect           send blobs as a 307 to /storage/<digest> (as registries do to a bucket)
  tag "weird"          a manifest of an unknown media type

Every request is appended to --log as one JSON line: method, path, Range and Authorization.
It binds 127.0.0.1:0 and writes the port to --port-file when listening.
"""
import argparse, base64, hashlib, json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--layout", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--bearer")
ap.add_argument("--corrupt")
ap.add_argument("--cut")
ap.add_argument("--flaky", type=int, default=0)
ap.add_argument("--redirect", action="store_true")
ap.add_argument("--ignore-range", action="store_true")
args = ap.parse_args()

TOKEN = "s3cr3t-token"
lock = threading.Lock()
cut_done = set()
flaky = [args.flaky]
cut_digest, cut_at = (args.cut.rsplit(":", 1)[0], int(args.cut.rsplit(":", 1)[1])) if args.cut else (None, 0)

def tags():
    with open(os.path.join(args.layout, "index.json")) as f:
        index = json.load(f)
    return {m.get("annotations", {}).get("org.opencontainers.image.ref.name"): m for m in index["manifests"]}

def blob(digest):
    path = os.path.join(args.layout, "blobs", *digest.split(":", 1))
    with open(path, "rb") as f:
        return f.read()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def record(self):
        with lock, open(args.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "range": self.headers.get("Range"),
                                "authorization": self.headers.get("Authorization")}) + "\n")

    def reply(self, status, body=b"", ctype="application/json", extra=None, head=False):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def error(self, status, code, message, extra=None):
        self.reply(status, json.dumps({"errors": [{"code": code, "message": message}]}).encode(), extra=extra)

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head=False):
        self.record()
        port = self.server.server_address[1]
        if self.path.startswith("/token"):
            if args.bearer:
                want = "Basic " + base64.b64encode(args.bearer.encode()).decode()
                if self.headers.get("Authorization") != want:
                    return self.error(401, "UNAUTHORIZED", "bad credentials")
            return self.reply(200, json.dumps({"token": TOKEN}).encode())
        if args.bearer and self.headers.get("Authorization") != "Bearer " + TOKEN:
            parts = self.path.split("/")
            repo = "/".join(parts[2:-2]) if len(parts) > 4 else "x"
            challenge = 'Bearer realm="http://127.0.0.1:%d/token",service="fake",scope="repository:%s:pull"' % (port, repo)
            return self.error(401, "UNAUTHORIZED", "token required", {"WWW-Authenticate": challenge})
        if self.path == "/v2/":
            return self.reply(200, b"{}")
        if self.path.startswith("/storage/"):
            return self.reply(200, blob(self.path.split("/")[-1]), "application/octet-stream", head=head)
        parts = self.path.split("/")
        if len(parts) < 5 or parts[1] != "v2":
            return self.error(404, "NOT_FOUND", "no route")
        kind, ref = parts[-2], parts[-1]
        if kind == "manifests":
            with lock:
                fail = flaky[0] > 0
                flaky[0] -= 1
            if fail:
                return self.error(503, "UNAVAILABLE", "try again")
            if ref == "weird":
                body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.example.unknown+json"}).encode()
                return self.reply(200, body, "application/vnd.example.unknown+json", head=head)
            desc = tags().get(ref) if not ref.startswith("sha256:") else {"digest": ref, "mediaType": None}
            if not desc:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            body = blob(desc["digest"])
            ctype = desc["mediaType"] or json.loads(body).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            return self.reply(200, body, ctype, {"Docker-Content-Digest": desc["digest"]}, head=head)
        if kind == "blobs":
            try:
                body = blob(ref)
            except OSError:
                return self.error(404, "BLOB_UNKNOWN", "blob unknown")
            if args.redirect:
                return self.reply(307, b"", extra={"Location": "http://127.0.0.1:%d/storage/%s" % (port, ref)})
            if ref == args.corrupt:
                body = bytes([body[0] ^ 0xFF]) + body[1:]
            if ref == cut_digest and ref not in cut_done:
                cut_done.add(ref)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:cut_at])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            rng = self.headers.get("Range")
            if rng and not args.ignore_range and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                return self.reply(206, body[start:], "application/octet-stream",
                                  {"Content-Range": "bytes %d-%d/%d" % (start, len(body) - 1, len(body))}, head=head)
            return self.reply(200, body, "application/octet-stream", head=head)
        return self.error(404, "NOT_FOUND", "no route")

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, args.port_file)
server.serve_forever()
