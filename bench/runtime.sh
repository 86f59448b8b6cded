#!/usr/bin/env bash
# `make bench`: start-to-exit time of one container, swiftlet's runtime against runc.
#   bench/runtime.sh [SWIFTLET_RUNTIME_BINARY] [RUNS]
# Times `swiftlet-runtime run`, the small binary a node's agent execs per container. When the
# `swiftlet` binary sits beside it, `swiftlet runtime run` (forwarded to it) is timed too, for
# reference.
# One bundle (busybox, args /bin/true, `runc spec` defaults) serves both runtimes, each with its
# own state root; the bundle's cgroupsPath makes both create (and delete) a real cgroup per run.
# Everything is removed on exit, pass or fail: state roots, bundle, cgroup parents.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$repo/.build/release/swiftlet-runtime}")
swiftlet=$(dirname "$bin")/swiftlet
[ -x "$swiftlet" ] || swiftlet=""
runs=${2:-100}
work=$(mktemp -d /tmp/swiftlet-bench.XXXXXX)
# State roots on tmpfs under /run, where both runtimes keep them by default (/run/runc,
# /run/swiftlet/runtime): a disk-backed root would time the disk, not the runtime.
state=$(mktemp -d /run/swiftlet-bench-state.XXXXXX)
parent=swiftlet-bench-$$

cleanup() {
  # A run that failed half-way may leave a container behind; delete it before its cgroup.
  for root in "$state/ours" "$state/runc"; do
    [ -d "$root" ] || continue
    for id in $(ls "$root"); do
      "$bin" --root "$state/ours" delete --force "$id" 2>/dev/null || true
      runc --root "$state/runc" delete --force "$id" 2>/dev/null || true
    done
  done
  "$repo/scripts/cgroup-rmdir.sh" 'swiftlet-bench-*'
  rm -rf "$work" "$state"
}
trap cleanup EXIT

cgroup_mode() {
  case $(stat -fc %T /sys/fs/cgroup) in
    cgroup2fs) echo "unified (cgroup v2 only)" ;;
    tmpfs) if [ -d /sys/fs/cgroup/unified ]; then echo "hybrid (v1 controllers + cgroup2 at /sys/fs/cgroup/unified)"; else echo "legacy (cgroup v1)"; fi ;;
    *) echo unknown ;;
  esac
}

echo "machine: $(nproc) cpus, kernel $(uname -r), cgroups $(cgroup_mode), load $(cut -d' ' -f1-3 /proc/loadavg)"
describe() { echo "$1 ($(du -h "$1" | cut -f1), $(ldd "$1" | wc -l) shared objects)"; }
echo "swiftlet-runtime: $(describe "$bin")"
if [ -n "$swiftlet" ]; then echo "swiftlet: $(describe "$swiftlet")"; else echo "swiftlet: not beside swiftlet-runtime, forwarded runs skipped"; fi
echo "runc: $(command -v runc) ($(runc --version | head -n 1))"

"$repo/scripts/bundle.sh" "$work/bundle" "/$parent/c" /bin/true
python3 "$repo/bench/measure.py" "$bin" "$(command -v runc)" "$work/bundle" "$state/ours" "$state/runc" "$runs" ${swiftlet:+"$swiftlet"}

# Both runtimes were given the same cgroupsPath: its parent must exist now, made by them.
[ -d "/sys/fs/cgroup/memory/$parent" ] || [ -d "/sys/fs/cgroup/$parent" ] ||
  { echo "bench: no cgroup /$parent was created" >&2; exit 1; }
