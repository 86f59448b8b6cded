#!/bin/bash
# Store benchmark: a 3-member `swiftlet store` cluster against a 3-member etcd 3.4 (Debian
# etcd-server), both on loopback, both fsyncing their WAL, data on the same disk (one temp dir).
# For each: `etcdctl check perf --load=s` and `--load=m` (pass/fail), then our put load generator
# (`swiftlet store bench-put`, EtcdClient) with 1 and 100 clients: writes/s, p50, p99; each member's
# RSS at the end. Usage: bench/store.sh path/to/release/swiftlet
set -euo pipefail
bin=$(realpath "${1:?usage: bench/store.sh path/to/swiftlet}")
export ETCDCTL_API=3
root=$(mktemp -d "${TMPDIR:-/var/tmp}/swiftlet-store-bench.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_cluster KIND -> sets endpoints, member_pids
start_cluster() {
    local kind=$1 cluster="" i
    local -a cports pports
    for i in 1 2 3; do cports[$i]=$(free_port); pports[$i]=$(free_port); done
    for i in 1 2 3; do cluster+="${cluster:+,}m$i=http://127.0.0.1:${pports[$i]}"; done
    endpoints=""
    member_pids=()
    for i in 1 2 3; do
        local args=(--name "m$i" --data-dir "$root/$kind/m$i"
            --listen-client-urls "http://127.0.0.1:${cports[$i]}" --advertise-client-urls "http://127.0.0.1:${cports[$i]}"
            --listen-peer-urls "http://127.0.0.1:${pports[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${pports[$i]}"
            --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$kind")
        if [ "$kind" = swiftlet ]; then
            "$bin" store "${args[@]}" > "$root/$kind-m$i.log" 2>&1 &
        else
            etcd "${args[@]}" > "$root/$kind-m$i.log" 2>&1 &
        fi
        member_pids+=($!); pids+=($!)
        endpoints+="${endpoints:+,}127.0.0.1:${cports[$i]}"
    done
    for _ in $(seq 100); do
        etcdctl --endpoints="$endpoints" endpoint health > /dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "$kind cluster did not become healthy" >&2
    tail -5 "$root/$kind"-m*.log >&2
    return 1
}

stop_cluster() {
    for p in "${member_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${member_pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

declare -A result
for kind in swiftlet etcd; do
    echo "== $kind: 3 members"
    start_cluster "$kind"
    for load in s m; do
        if etcdctl --endpoints="$endpoints" check perf --load=$load > "$root/perf-$kind-$load.out" 2>&1; then
            result[$kind,perf_$load]=PASS
        else
            result[$kind,perf_$load]=FAIL
        fi
        echo "check perf --load=$load: ${result[$kind,perf_$load]} ($(tr '\r' '\n' < "$root/perf-$kind-$load.out" | grep -oE '((PASS|FAIL): (Throughput|Slowest|Stddev)|Slowest request took too long|Stddev too high).*' | tr '\n' ' '))"
    done
    for clients in 1 100; do
        total=$(( clients == 1 ? 2000 : 20000 ))
        line=$("$bin" store bench-put --endpoints "$endpoints" --clients $clients --total $total --value-size 256)
        echo "bench-put: $line"
        result[$kind,put_$clients]="$line"
    done
    rss=""
    for p in "${member_pids[@]}"; do rss+="$(( $(rss_kb "$p") / 1024 ))MiB "; done
    echo "member RSS: $rss"
    echo "$rss" > "$root/rss-$kind"
    stop_cluster
done

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }
echo
echo "== summary (swiftlet / etcd)"
printf "%-22s %-14s %-14s %s\n" "" swiftlet etcd ratio
for load in s m; do
    printf "%-22s %-14s %-14s\n" "check perf --load=$load" "${result[swiftlet,perf_$load]}" "${result[etcd,perf_$load]}"
done
for clients in 1 100; do
    for k in writes_per_sec p50_ms p99_ms; do
        a=$(field "${result[swiftlet,put_$clients]}" $k); b=$(field "${result[etcd,put_$clients]}" $k)
        ratio=$(python3 -c "print(f'{$a/$b:.2f}' if $b else '-')")
        printf "%-22s %-14s %-14s %s\n" "put c=$clients $k" "$a" "$b" "$ratio"
    done
done
printf "%-22s %-14s %-14s\n" "RSS (per member)" "$(cat "$root/rss-swiftlet")" "$(cat "$root/rss-etcd")"
