#!/usr/bin/env python3
"""A token server for docker-registry's `auth: token` on loopback, for the bearer-flow test.
At start it makes a self-signed P-256 certificate (written to --cert: the registry's
rootcertbundle) and then writes its port to --port-file. GET /token?service=…&scope=… with
Basic USER:PASS (--user) answers {"token": JWT}: ES256, the certificate in x5c, granting the
actions asked for. Wrong or missing credentials get 401. Requests are logged to --log.
"""
import argparse, base64, datetime, json, os, threading, time, urllib.parse, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

ap = argparse.ArgumentParser()
ap.add_argument("--cert", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--user", required=True)
ap.add_argument("--issuer", default="swiftlet-test-issuer")
args = ap.parse_args()

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "swiftlet test token signer")])
now = datetime.datetime.utcnow()
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
with open(args.cert, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
lock = threading.Lock()

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def jwt(service, access, subject):
    header = {"typ": "JWT", "alg": "ES256", "x5c": [x5c]}
    t = int(time.time())
    claims = {"iss": args.issuer, "sub": subject, "aud": service, "exp": t + 600, "nbf": t - 60,
              "iat": t, "jti": uuid.uuid4().hex, "access": access}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization")
        with lock, open(args.log, "a") as f:
            f.write(json.dumps({"path": self.path, "authorization": auth}) + "\n")
        want = "Basic " + base64.b64encode(args.user.encode()).decode()
        if url.path != "/token" or auth != want:
            body = b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}'
            self.send_response(401)
        else:
            access = []
            for scope in q.get("scope", []):
                for one in scope.split(" "):
                    kind, repo, actions = one.split(":")[0], ":".join(one.split(":")[1:-1]), one.split(":")[-1]
                    access.append({"type": kind, "name": repo, "actions": actions.split(",")})
            body = json.dumps({"token": jwt(q.get("service", [""])[0], access, args.user.split(":")[0])}).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
