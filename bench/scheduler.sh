#!/bin/bash
# Scheduler benchmark (issue 6): a real `swiftlet server` (embedded store, fsync on, scheduler and
# controllers on) on loopback, loaded by `swiftlet server bench-scheduler` over HTTPS with the admin
# kubeconfig: 5,000 hollow Ready nodes, 10,000 pending pods created by 64 clients while the scheduler
# is held (its lease taken), then released: pods/s from the first bind to the last and per-pod
# latency, every pod bound and no node overcommitted; then a 1,000-replica Deployment through
# `kubectl apply`, timed to its last pod bound. Target: >= 2,000 pods/s.
# Usage: bench/scheduler.sh [path/to/swiftlet] [extra bench-scheduler flags, e.g. --nodes 500 --pods 1000]
set -euo pipefail
bin=$(realpath "${1:-.build/release/swiftlet}")
shift || true
root=$(mktemp -d "${TMPDIR:-/var/tmp}/swiftlet-sched-bench.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
port=$(free_port)
# The hollow nodes have no agent to renew their Leases: a long grace keeps them Ready for the run.
"$bin" server --data-dir "$root/server" --secure-port "$port" --node-monitor-grace-period 3600 > "$root/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 300); do
    [ -f "$root/server/admin.kubeconfig" ] && kubectl --kubeconfig "$root/server/admin.kubeconfig" get --raw /readyz > /dev/null 2>&1 && break
    kill -0 $server 2>/dev/null || { echo "server exited" >&2; tail -20 "$root/server.log" >&2; exit 1; }
    sleep 0.1
done
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
status=0
"$bin" server bench-scheduler --kubeconfig "$root/server/admin.kubeconfig" --work-dir "$root" --server-pid "$server" "$@" || status=$?
echo "server RSS at the end: $(( $(rss_kb $server) / 1024 )) MiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $status -ne 0 ]; then
    echo "bench-scheduler failed ($status); server log:" >&2
    grep -m1 -A25 -E "Fatal error|Crash|\*\*\*" "$root/server.log" >&2 || tail -20 "$root/server.log" >&2
fi
exit $status
