import Foundation
import Testing
@testable import Store
#if canImport(Glibc)
import Glibc
#endif

/// Seeds currently running, one slot per shard, readable from a signal handler. A core precondition (a broken
/// Raft invariant the core refuses to continue past) kills the process, so the handler names the seed(s) then.
nonisolated(unsafe) let seedsInFlight: UnsafeMutablePointer<UInt64> = {
    let p = UnsafeMutablePointer<UInt64>.allocate(capacity: RaftSimulationTests.shards)
    p.initialize(repeating: 0, count: RaftSimulationTests.shards)
    return p
}()
nonisolated(unsafe) let crashReportBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
/// The handlers installed before ours (the Swift runtime's backtracer), by signal number: ours hands the
/// crash on to them, so a crash anywhere in the test process still gets its backtrace.
nonisolated(unsafe) let previousCrashHandlers: UnsafeMutablePointer<sigaction> = {
    let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    p.initialize(repeating: sigaction(), count: 65)
    return p
}()

private func installCrashReporter() {
    _ = seedsInFlight
    for sig in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV] {
        sigaction(sig, nil, previousCrashHandlers + Int(sig))
        signal(sig) { sig in
            // Async-signal-safe: no allocation; digits are written by hand into a preallocated buffer.
            var n = 0
            func put(_ ch: UInt8) { if n < 255 { crashReportBuffer[n] = ch; n += 1 } }
            for ch in "\nraft simulation crashed; seeds in flight:".utf8 { put(ch) }
            for shard in 0..<RaftSimulationTests.shards {
                put(32)
                var v = seedsInFlight[shard]
                var divisor: UInt64 = 1
                while v / divisor >= 10 { divisor *= 10 }
                while divisor > 0 { put(UInt8(48 + (v / divisor) % 10)); divisor /= 10 }
                v = 0
            }
            for ch in " (replay with SWIFTLET_RAFT_SEED=<seed>)\n".utf8 { put(ch) }
            _ = write(2, crashReportBuffer, n)
            sigaction(sig, previousCrashHandlers + Int(sig), nil)
            raise(sig)
        }
    }
}

/// Runs `body` on a new thread and returns its value, leaving the cooperative pool free meanwhile.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { cont in
        let thread = Thread { cont.resume(returning: body()) }
        thread.stackSize = 16 << 20
        thread.start()
    }
}

/// Deterministic simulation over many seeds.
///
/// - `SWIFTLET_RAFT_SEEDS=<n>`: how many seeds to run (default 2000, split over two parallel shards).
/// - `SWIFTLET_RAFT_SEED=<n>`: replay exactly one seed, with a trace of every event.
/// - `SWIFTLET_RAFT_SEED_BASE=<n>`: first seed (default 1), to explore beyond the CI range.
@Suite("Raft simulation")
struct RaftSimulationTests {
    static let env = ProcessInfo.processInfo.environment
    static let shards = 2

    @Test(arguments: 0..<shards)
    func randomizedClusters(shard: Int) async throws {
        if let one = Self.env["SWIFTLET_RAFT_SEED"].flatMap(UInt64.init) {
            guard shard == 0 else { return }
            let sim = RaftSimulation(seed: one, trace: true)
            do {
                try sim.run()
                print("seed \(one): ok (\(sim.params)); recovered in \(sim.recoveryTicks) ticks; \(sim.history.count) ops")
            } catch {
                Issue.record("\(error)")
            }
            return
        }
        let count = Self.env["SWIFTLET_RAFT_SEEDS"].flatMap(Int.init) ?? 2000
        let base = Self.env["SWIFTLET_RAFT_SEED_BASE"].flatMap(UInt64.init) ?? 1
        installCrashReporter()
        // A shard holds a core for most of a minute. On the cooperative pool (two threads on two cores)
        // two shards would starve every async test in the process, so each runs on a thread of its own.
        let (summary, failures) = await onOwnThread { Self.runShard(shard, count: count, base: base) }
        print(summary)
        for f in failures.prefix(5) { Issue.record("\(f)") }
    }

    static func runShard(_ shard: Int, count: Int, base: UInt64) -> (String, [String]) {
        let start = Date()
        var failures: [String] = []
        var ran = 0, ops = 0, maxRecovery = 0, worstSeed: UInt64 = 0, churned = 0
        var stats = SimStats()
        // Pairs of consecutive seeds go to the same shard, so both shards get 3- and 5-node clusters.
        for i in 0..<count where (i / 2) % Self.shards == shard {
            seedsInFlight[shard] = base + UInt64(i)
            let sim = RaftSimulation(seed: base + UInt64(i))
            do {
                try sim.run()
            } catch {
                failures.append("\(error)")
                print("\(error)")
            }
            ran += 1
            ops += sim.history.count
            if sim.recoveryTicks > maxRecovery { maxRecovery = sim.recoveryTicks; worstSeed = sim.seed }
            stats = stats + sim.stats
            if !sim.membershipOps.isEmpty { churned += 1 }
        }
        let elapsed = Date().timeIntervalSince(start)
        let summary = "raft simulation shard \(shard): \(ran) seeds, \(failures.count) failed, \(ops) client ops checked, \(churned) with membership churn, worst recovery \(maxRecovery) ticks (seed \(worstSeed)), \(String(format: "%.1f", elapsed))s\n  \(stats)"
        return (summary, failures)
    }

    @Test func sameSeedReplaysIdentically() throws {
        let a = RaftSimulation(seed: 42), b = RaftSimulation(seed: 42)
        try a.run()
        try b.run()
        #expect(a.clock == b.clock)
        #expect(a.history.map(\.description) == b.history.map(\.description))
        #expect(a.committed == b.committed)
    }

    @Test func checkerRejectsStaleRead() {
        // put(x)=1 completes, then a get that starts afterwards sees the old value: not linearizable.
        let bad = [
            HistoryOp(kind: .put, key: "k", value: "1", call: 0, ret: 1),
            HistoryOp(kind: .get, key: "k", value: "", call: 2, ret: 3),
        ]
        #expect(!LinearizabilityChecker.checkRegister(bad))
        // Overlapping get may see either value; a pending put may or may not have happened.
        let ok = [
            HistoryOp(kind: .put, key: "k", value: "1", call: 0, ret: 5),
            HistoryOp(kind: .get, key: "k", value: "", call: 1, ret: 2),
            HistoryOp(kind: .put, key: "k", value: "2", call: 3, ret: .max),
            HistoryOp(kind: .get, key: "k", value: "2", call: 6, ret: 7),
            HistoryOp(kind: .get, key: "k", value: "1", call: 8, ret: 9).with(value: "2"),
        ]
        #expect(LinearizabilityChecker.checkRegister(ok))
        let flipFlop = [
            HistoryOp(kind: .put, key: "k", value: "1", call: 0, ret: 1),
            HistoryOp(kind: .put, key: "k", value: "2", call: 2, ret: .max),
            HistoryOp(kind: .get, key: "k", value: "2", call: 3, ret: 4),
            HistoryOp(kind: .get, key: "k", value: "1", call: 5, ret: 6),
        ]
        #expect(!LinearizabilityChecker.checkRegister(flipFlop))
    }
}

extension HistoryOp {
    func with(value: String) -> HistoryOp { var c = self; c.value = value; return c }
}
