/// Latency samples reduced to what the benchmark reports: count, p50, p99, max. Percentiles are
/// nearest-rank (the smallest sample at or above the fraction p of all samples), as etcd's and
/// Kubernetes' SLO tooling read them: p99 of 100 samples is the 99th smallest.
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p99: Double
    public var max: Double

    public init(_ samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        p50 = Self.percentile(sorted, 0.50)
        p99 = Self.percentile(sorted, 0.99)
        max = sorted.last ?? 0
    }

    /// Nearest rank of `p` (0...1] in already sorted samples; 0 for none.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((Double(sorted.count) * p).rounded(.up))
        return sorted[Swift.min(sorted.count - 1, Swift.max(0, rank - 1))]
    }
}

/// Milliseconds between two CLOCK_MONOTONIC readings in nanoseconds.
@inline(__always)
func milliseconds(from start: UInt64, to end: UInt64) -> Double {
    end >= start ? Double(end - start) / 1e6 : -Double(start - end) / 1e6
}
