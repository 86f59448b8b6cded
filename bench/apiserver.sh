#!/bin/bash
# API server benchmark (issue 5): one `swiftlet server` on its embedded one-member store (fsync on),
# control loops off so only the API server is measured, on a free loopback port in a temp dir.
# The load generator (`swiftlet server bench-api`, real HTTPS with the admin client certificate):
# 50 clients create 10,000 pods (creates/s, p50/p99), 500 watchers each receive 1000 pod events
# (delivery p99, all in order), the server's RSS at 10,000 stored pods. kubectl checks the count.
# Usage: bench/apiserver.sh [path/to/swiftlet]   (default .build/release/swiftlet)
# Smaller runs: PODS=1000 WATCHERS=50 EVENTS=100 bench/apiserver.sh .build/debug/swiftlet
set -euo pipefail
bin=$(realpath "${1:-.build/release/swiftlet}")
clients=${CLIENTS:-50} pods=${PODS:-10000} watchers=${WATCHERS:-500} events=${EVENTS:-1000}
root=$(mktemp -d "${TMPDIR:-/var/tmp}/swiftlet-api-bench.XXXXXX")
server=""
cleanup() {
    # In a group with stderr closed: bash reports the killed job when it reaps it.
    { [ -n "$server" ] && kill -9 "$server" && wait "$server"; } 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r), $(basename "$bin") $(stat -c %s "$bin") bytes"
port=$(free_port)
"$bin" server --data-dir "$root/server" --bind-address 127.0.0.1 --secure-port "$port" --disable-control-loops \
    > "$root/server.log" 2>&1 &
server=$!
export KUBECONFIG=$root/server/admin.kubeconfig
for _ in $(seq 150); do
    [ -s "$KUBECONFIG" ] && kubectl get --raw /readyz > /dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "swiftlet server exited:"; cat "$root/server.log"; exit 1; }
    sleep 0.2
done
kubectl get --raw /readyz > /dev/null || { echo "server not ready"; tail -20 "$root/server.log"; exit 1; }
echo "server: pid $server on https://127.0.0.1:$port, data in $root/server"

status=0
"$bin" server bench-api --kubeconfig "$KUBECONFIG" --server-pid "$server" \
    --clients "$clients" --pods "$pods" --watchers "$watchers" --events "$events" || status=$?
[ "$status" -ge 2 ] && { echo "load generator failed (status $status)"; tail -20 "$root/server.log"; exit "$status"; }

# The same figures through a compatible server: kubectl sees every pod the generator made.
seen=$(kubectl get pods -n bench --no-headers | wc -l)
all=$(kubectl get pods -A --no-headers | wc -l)
expected_all=$(( pods + (watchers > 0 ? events : 0) ))
echo "kubectl: $seen pods in namespace bench (expected $pods), $all in all namespaces (expected $expected_all)"
if [ "$seen" -ne "$pods" ] || [ "$all" -ne "$expected_all" ]; then
    echo "kubectl check: FAIL"
    status=1
fi
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
