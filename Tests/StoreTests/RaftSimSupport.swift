// Building blocks of the deterministic Raft simulation: a seeded PRNG, the KV state machine the
// simulated clients use, and the client history recorded for the linearizability check.

import Store

/// xoshiro256** seeded through SplitMix64. Our own generator, so a seed replays identically on every
/// platform and toolchain (the standard library's generators make no such promise).
struct SimRandom {
    private var s0, s1, s2, s3: UInt64

    init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm); s1 = splitMix(&sm); s2 = splitMix(&sm); s3 = splitMix(&sm)
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `0..<n`; `n` must be positive (the harness only passes literals and counts of non-empty arrays).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func range(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    }

    mutating func pick<T>(_ a: [T]) -> T? { a.isEmpty ? nil : a[below(a.count)] }
}

/// Commands the simulated clients replicate. Text keeps traces readable.
enum SimCommand: Equatable {
    case put(op: UInt64, key: String, value: String)
    /// A no-op write used by the liveness check.
    case marker(op: UInt64)

    var encoded: [UInt8] {
        switch self {
        case let .put(op, key, value): Array("P \(op) \(key) \(value)".utf8)
        case let .marker(op): Array("M \(op)".utf8)
        }
    }

    init?(_ data: [UInt8]) {
        let parts = String(decoding: data, as: UTF8.self).split(separator: " ").map(String.init)
        switch parts.first {
        case "P" where parts.count == 4:
            guard let op = UInt64(parts[1]) else { return nil }
            self = .put(op: op, key: parts[2], value: parts[3])
        case "M" where parts.count == 2:
            guard let op = UInt64(parts[1]) else { return nil }
            self = .marker(op: op)
        default:
            return nil
        }
    }

    var op: UInt64 {
        switch self {
        case let .put(op, _, _), let .marker(op): op
        }
    }
}

/// The replicated state machine: a string map. Applying deduplicates by operation id, as a real KV service
/// does with client sessions: the network duplicates proposals, and a duplicate must not re-apply an old write.
struct SimKV: Equatable {
    var values: [String: String] = [:]
    var seen: Set<UInt64> = []
    var applied: UInt64 = 0

    /// Applies an entry; returns the command if it was new.
    @discardableResult
    mutating func apply(_ entry: RaftEntry) -> SimCommand? {
        applied = entry.index
        guard entry.kind == .normal, let cmd = SimCommand(entry.data) else { return nil }
        guard seen.insert(cmd.op).inserted else { return nil }
        if case let .put(_, key, value) = cmd { values[key] = value }
        return cmd
    }

    /// Snapshot image: sorted so identical states encode identically.
    var encoded: [UInt8] {
        var lines = ["A \(applied)"]
        lines += values.keys.sorted().map { "K \($0) \(values[$0] ?? "")" }
        lines += seen.sorted().map { "S \($0)" }
        return Array(lines.joined(separator: "\n").utf8)
    }

    init() {}

    init?(decoding data: [UInt8]) {
        guard !data.isEmpty else { return }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            switch (f.first, f.count) {
            case ("A", 2): guard let a = UInt64(f[1]) else { return nil }; applied = a
            case ("K", 3): values[f[1]] = f[2]
            case ("S", 2): guard let s = UInt64(f[1]) else { return nil }; seen.insert(s)
            default: return nil
            }
        }
    }
}

/// One client operation on a single key, with invoke and response instants in simulated event time.
struct HistoryOp: CustomStringConvertible {
    enum Kind { case put, get }
    var kind: Kind
    var key: String
    /// The value written, or the value a get observed ("" for absent).
    var value: String
    var call: Int
    /// `Int.max` for a put whose outcome is unknown (timed out or its node crashed): it may or may not apply.
    var ret: Int

    var description: String {
        "\(kind == .put ? "put" : "get")(\(key)) \(kind == .put ? "←" : "→") \"\(value)\" [\(call), \(ret == .max ? "∞" : String(ret))]"
    }
}

/// A log reduced to what the invariant checks compare: terms and content digests, from index `first` on.
struct SimLogView {
    var first: UInt64
    var terms: [UInt64]
    var digests: [UInt64]
}

extension RaftEntry {
    /// FNV-1a over kind and data: a cheap, deterministic stand-in for comparing entry contents.
    var digest: UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        h = (h ^ UInt64(kind.rawValue)) &* 0x100_0000_01B3
        data.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < bytes.count { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01B3; i += 1 }
        }
        return h
    }
}
