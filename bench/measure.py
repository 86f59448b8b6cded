#!/usr/bin/env python3
"""Times `swiftlet-runtime run` (what a node's agent execs) against `runc run` on the same bundle,
alternating the two so that machine noise (other builds on the box, cache state) hits both alike.
Given the `swiftlet` binary too, `swiftlet runtime run` (which forwards to swiftlet-runtime) joins
the alternation, for reference: it is what a user typing the long form pays.

    bench/measure.py SWIFTLET_RUNTIME RUNC BUNDLE OURS_ROOT RUNC_ROOT [RUNS] [SWIFTLET]

Each run is a fresh child waited with wait4, which gives its wall time (monotonic clock) and its
peak RSS. The peak covers the whole runtime process tree that it reaps itself: our monitor is
a fork of the runtime reaped by it, runc reaps `runc init`.
"""
import os
import statistics
import subprocess
import sys
import time


def run_once(argv):
    """Returns the milliseconds of one run; fails the bench on a non-zero exit."""
    start = time.perf_counter_ns()
    status = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode
    elapsed = (time.perf_counter_ns() - start) / 1e6
    if status != 0:
        sys.exit(f"bench: {' '.join(argv)} exited {status}")
    return elapsed


def peak_rss_kib(argv, n=5):
    """The largest peak RSS of the runtime process tree over n runs, through GNU time.
    Not from our own wait4: ru_maxrss survives exec, so any child forked from this Python
    process would report Python's ~14 MiB; GNU time's own footprint is about 2 MiB."""
    peaks = []
    for _ in range(n):
        out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
        peaks.append(int(out.stderr.strip().splitlines()[-1]))
    return max(peaks)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def startup_ms(argv, n=30):
    """Median time of a command that does no container work: the cost of starting the process."""
    return statistics.median(run_once(argv) for _ in range(n))


def main():
    runtime, runc, bundle, ours_root, runc_root = sys.argv[1:6]
    runs = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    swiftlet = sys.argv[7] if len(sys.argv) > 7 else None
    ours_cmd = lambda i: [runtime, "--root", ours_root, "run", "--bundle", bundle, f"id-{i}"]
    runc_cmd = lambda i: [runc, "--root", runc_root, "run", "--bundle", bundle, f"id-{i}"]
    forwarded_cmd = lambda i: [swiftlet, "runtime", "--root", ours_root, "run", "--bundle", bundle, f"fwd-{i}"]
    contenders = [("swiftlet-runtime", ours_cmd), ("runc", runc_cmd)]
    if swiftlet:
        contenders.append(("swiftlet runtime", forwarded_cmd))

    # Warm the page cache and the binaries; not counted.
    for i in range(3):
        for _, cmd in contenders:
            run_once(cmd(f"warm-{i}"))

    times = {name: [] for name, _ in contenders}
    for i in range(runs):
        for name, cmd in contenders:
            times[name].append(run_once(cmd(i)))

    def report(name, cmd):
        rss = peak_rss_kib(cmd("rss-%d" % time.monotonic_ns()))
        print(f"{name:17} median {statistics.median(times[name]):7.2f} ms   p90 {percentile(times[name], 90):7.2f} ms"
              f"   min {min(times[name]):7.2f} ms   peak RSS {rss / 1024:6.1f} MiB")
        return statistics.median(times[name]), min(times[name])

    print(f"{runs} runs each, alternating, /bin/true in a busybox bundle")
    medians = {name: report(name, cmd) for name, cmd in contenders}
    ours_median, ours_min = medians["swiftlet-runtime"]
    runc_median, runc_min = medians["runc"]
    ratio = ours_median / runc_median
    print(f"ratio swiftlet-runtime/runc (medians): {ratio:.2f}  (target <= 0.50: {'met' if ratio <= 0.5 else 'NOT met'})"
          f"   (minimums): {ours_min / runc_min:.2f}")
    if swiftlet:
        print(f"ratio swiftlet runtime/runc (medians, forwarded, for reference): {medians['swiftlet runtime'][0] / runc_median:.2f}")

    # How much of a run is just starting the binary (dynamic loading, runtime init)?
    print("process startup, median of 30 (no container work):")
    print(f"  swiftlet-runtime --help  {startup_ms([runtime, '--help']):6.2f} ms")
    if swiftlet:
        print(f"  swiftlet --help          {startup_ms([swiftlet, '--help']):6.2f} ms")
    print(f"  runc --version           {startup_ms([runc, '--version']):6.2f} ms")
    print(f"  /bin/true                {startup_ms(['/bin/true']):6.2f} ms")


if __name__ == "__main__":
    main()
