#!/usr/bin/env bash
# `make up`: a single-node control plane on the embedded store. Starts `swiftlet server` (API server,
# one-member Raft store, scheduler, controllers) on 127.0.0.1, applies the seed's Deployment and
# Service (../shared/scenarios or packaging/scenarios), shows what the cluster made of them, and keeps
# serving until Ctrl-C. The node agent joins this command with its issue; until then pods stay Pending.
# Data lives in $SWIFTLET_UP_DIR (default .build/up); stopping removes nothing, `make clean` does.
set -euo pipefail

bin=$(realpath "${1:-.build/debug/swiftlet}")
dir=${SWIFTLET_UP_DIR:-$(pwd)/.build/up}
port=${SWIFTLET_UP_PORT:-6443}
scenarios=${SWIFTLET_SCENARIOS:-$(cd "$(dirname "$0")/.." && pwd)/../shared/scenarios}
mkdir -p "$dir"

"$bin" server --data-dir "$dir" --bind-address 127.0.0.1 --secure-port "$port" 2>"$dir/server.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT INT TERM

export KUBECONFIG=$dir/admin.kubeconfig
for _ in $(seq 1 100); do
  if [ -s "$KUBECONFIG" ] && kubectl get --raw /readyz >/dev/null 2>&1; then break; fi
  kill -0 $server 2>/dev/null || { echo "swiftlet server exited:"; cat "$dir/server.log"; exit 1; }
  sleep 0.2
done
echo "== swiftlet server on https://127.0.0.1:$port (log: $dir/server.log)"
kubectl version

if [ -d "$scenarios" ]; then
  for f in mydeployment.yaml my_service.yaml; do
    [ -f "$scenarios/$f" ] && kubectl apply -f "$scenarios/$f"
  done
  sleep 3
fi
echo "== kubectl get all -o wide"
kubectl get all -o wide
echo "== kubectl get events"
kubectl get events
echo
echo "Serving. In another shell: export KUBECONFIG=$KUBECONFIG; kubectl get all -A"
echo "Ctrl-C stops the server (data stays in $dir)."
wait $server
