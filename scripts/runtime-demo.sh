#!/usr/bin/env bash
# `make runtime-demo`: a smoke demo of the container runtime. Runs one busybox container through
# `swiftlet-runtime run` (the runtime CLI's own binary; `swiftlet runtime` forwards to it), prints
# its output and `swiftlet-runtime features`, and leaves nothing behind (state, bundle, cgroups),
# pass or fail.
set -euo pipefail

bin=$(realpath "${1:-.build/debug/swiftlet-runtime}")
scripts=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/swiftlet-up.XXXXXX)
name=swiftlet-up-$$

cleanup() {
  "$bin" --root "$work/state" delete --force "$name" 2>/dev/null || true
  "$scripts/cgroup-rmdir.sh" "$name"
  rm -rf "$work"
}
trap cleanup EXIT

"$scripts/bundle.sh" "$work/bundle" "/$name/demo" /bin/sh -c '
  echo "hello from $(hostname), pid $$, running as $(id -un)"
  echo "processes visible inside:"; ps -o pid,comm
  echo "root filesystem:"; ls /
  echo "memory cgroup: $(grep memory /proc/self/cgroup)"'

echo "== swiftlet-runtime run --bundle $work/bundle $name"
status=0
"$bin" --root "$work/state" run --bundle "$work/bundle" "$name" || status=$?
echo "== container exited with status $status"
echo
echo "== swiftlet-runtime features"
"$bin" features
exit "$status"
