#!/usr/bin/env bash
# `make bench`: time of a fresh pull of one multi-layer image, swiftlet against skopeo+umoci.
#   bench/images.sh [SWIFTLET_BINARY] [RUNS]
# One local registry (Debian's docker-registry on 127.0.0.1:<free port>, storage in a temp dir)
# serves one image: a busybox-static base and 3 layers of 10 MiB of random (incompressible)
# bytes each, built with umoci and pushed with skopeo. Then, alternating, one warm-up and RUNS
# timed runs of each, every run into an empty directory (nothing cached):
#   (a) swiftlet images --root <fresh> pull   (download, verify, unpack every layer)
#   (b) skopeo copy docker://... oci:<fresh>:v1 && umoci unpack   (the anchor, same work)
# Everything is removed on exit, pass or fail: the registry is stopped, the temp dir deleted.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$repo/.build/release/swiftlet}")
runs=${2:-5}
target=0.7
work=$(mktemp -d /tmp/swiftlet-imgbench.XXXXXX)
registry_pid=

cleanup() {
  if [ -n "$registry_pid" ]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cpus, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "swiftlet: $bin"
echo "anchor: $(skopeo --version), $(umoci --version)"

# --- the registry, loopback only ---------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
cat > "$work/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/storage
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry/config.yml" > "$work/registry/log" 2>&1 &
registry_pid=$!
python3 - "$port" "$registry_pid" <<'EOF'
import os, sys, time, urllib.request, urllib.error
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 15
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("bench: docker-registry exited")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=0.5)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # any HTTP answer: it is up
    except OSError:
        time.sleep(0.05)
sys.exit("bench: docker-registry did not answer /v2/ in time")
EOF
ref=127.0.0.1:$port/bench/big:v1

# --- the image: busybox base + 3 x 10 MiB of random bytes -----------------------------------
layout=$work/layout
umoci init --layout "$layout"
umoci new --image "$layout:v1"
umoci unpack --image "$layout:v1" "$work/build"
mkdir -p "$work/build/rootfs/bin" "$work/build/rootfs/etc"
cp /bin/busybox "$work/build/rootfs/bin/busybox"
ln -s busybox "$work/build/rootfs/bin/sh"
echo "swiftlet image bench" > "$work/build/rootfs/etc/hello.txt"
umoci repack --image "$layout:v1" "$work/build"
rm -rf "$work/build"
# unpack + add + repack (not `umoci insert`: umoci 0.4.7's insert writes a tar stream cut short,
# without its end-of-archive blocks, and without padding after a file whose size is not a
# multiple of 512, which a strict reader rightly refuses).
for i in 1 2 3; do
  umoci unpack --image "$layout:v1" "$work/build"
  mkdir -p "$work/build/rootfs/data$i"
  head -c $((10 * 1024 * 1024)) /dev/urandom > "$work/build/rootfs/data$i/random.bin"
  umoci repack --image "$layout:v1" "$work/build"
  rm -rf "$work/build"
done
umoci gc --layout "$layout"
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$layout:v1" "docker://$ref"
layers=$(python3 - "$layout" <<'EOF'
import json, sys
layout = sys.argv[1]
index = json.load(open(layout + "/index.json"))
m = json.load(open(layout + "/blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
print(f'{len(m["layers"])} layers, {sum(l["size"] for l in m["layers"]) / 1e6:.1f} MB compressed')
EOF
)
echo "image: $ref ($layers)"

# --- alternating runs, each into an empty directory ---------------------------------------
now_ns() { date +%s%N; }
ours=() theirs=()
run_ours() {  # $1: dir (absent)
  "$bin" images --root "$1" pull "$ref" > "$work/ours.log" 2>&1 ||
    { cat "$work/ours.log" >&2; echo "bench: swiftlet pull failed" >&2; exit 1; }
}
run_theirs() {  # $1: dir (absent)
  { skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$ref" "oci:$1:v1" &&
    umoci unpack --image "$1:v1" "$1/bundle"; } > "$work/theirs.log" 2>&1 ||
    { cat "$work/theirs.log" >&2; echo "bench: skopeo+umoci failed" >&2; exit 1; }
}
for i in $(seq 0 "$runs"); do
  for who in ours theirs; do
    dir=$work/run-$who-$i
    rm -rf "$work"/run-"$who"-*  # only the last run's result stays, for the sizes
    sync
    t0=$(now_ns)
    "run_$who" "$dir"
    t1=$(now_ns)
    [ "$i" -eq 0 ] && continue  # warm-up
    ms=$(( (t1 - t0) / 1000000 ))
    if [ "$who" = ours ]; then ours+=("$ms"); else theirs+=("$ms"); fi
  done
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m_ours=$(median "${ours[@]}")
m_theirs=$(median "${theirs[@]}")
size_ours=$(du -sb "$work/run-ours-$runs" | cut -f1)
size_layout=$(du -sb --exclude=bundle "$work/run-theirs-$runs" | cut -f1)
size_bundle=$(du -sb "$work/run-theirs-$runs/bundle" | cut -f1)
echo "runs: $runs each after one warm-up, alternating"
echo "swiftlet images pull:   median ${m_ours} ms   (runs: ${ours[*]})"
echo "skopeo copy + umoci:    median ${m_theirs} ms   (runs: ${theirs[*]})"
python3 - "$m_ours" "$m_theirs" "$target" "$size_ours" "$size_layout" "$size_bundle" <<'EOF'
import sys
ours, theirs, target = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
so, sl, sb = (int(x) for x in sys.argv[4:7])
ratio = ours / theirs
print(f"ratio swiftlet/(skopeo+umoci): {ratio:.2f} (target <= {target}: {'met' if ratio <= target else 'NOT met'})")
print(f"on disk: swiftlet store {so / 1e6:.1f} MB; skopeo layout {sl / 1e6:.1f} MB + umoci bundle {sb / 1e6:.1f} MB = {(sl + sb) / 1e6:.1f} MB")
EOF
