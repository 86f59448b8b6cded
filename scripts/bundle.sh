#!/usr/bin/env bash
# Makes an OCI bundle for the demo and the benchmark:
#   scripts/bundle.sh DIR CGROUPS_PATH ARG...
# DIR/rootfs is Debian's static busybox with its applet links; DIR/config.json is `runc spec`
# (so our runtime and runc get the very same config) with the given args, no terminal (no
# tty to give it when run from make or CI), the given cgroupsPath and hostname "swiftlet".
set -euo pipefail

dir=$1 cgroups_path=$2
shift 2

rootfs=$dir/rootfs
mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"

runc spec --bundle "$dir"
python3 - "$dir/config.json" "$cgroups_path" "$@" <<'PY'
import json, sys
path, cgroups_path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    config = json.load(f)
config["process"]["terminal"] = False
config["process"]["args"] = args
config["linux"]["cgroupsPath"] = cgroups_path
config["hostname"] = "swiftlet"
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
