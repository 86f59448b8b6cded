#!/usr/bin/env bash
# Removes top-level cgroups by name pattern in every hierarchy (v1 controllers, named and
# unified alike):  scripts/cgroup-rmdir.sh 'swiftlet-bench-*'
# Deepest first, since a cgroup with children cannot be removed; any process still inside
# (a run that failed half-way) is killed first, since a populated cgroup cannot be removed either.
set -uo pipefail

for pattern in "$@"; do
  for top in /sys/fs/cgroup/$pattern /sys/fs/cgroup/*/$pattern; do
    [ -d "$top" ] || continue
    find "$top" -depth -type d | while read -r cg; do
      if [ -r "$cg/cgroup.procs" ]; then
        xargs -r kill -9 < "$cg/cgroup.procs" 2>/dev/null
      fi
      # The kernel frees a cgroup shortly after its last process is reaped: retry briefly.
      for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; [ -d "$cg" ] || break; sleep 0.1; done
      [ -d "$cg" ] && echo "cgroup-rmdir: could not remove $cg" >&2
    done
  done
done
exit 0
