/// What one API benchmark run measured, and its verdict against issue 5's targets.
public struct APIBenchReport: Sendable {
    public struct Creates: Sendable {
        public var clients: Int
        public var requested: Int
        public var errors: Int
        public var firstError: String?
        public var seconds: Double
        public var latency: LatencySummary
        public var perSecond: Double { seconds > 0 ? Double(latency.count) / seconds : 0 }
    }

    public struct Watch: Sendable {
        public var watchers: Int
        public var events: Int
        /// Watchers that received every event, in order, with nothing else in between.
        public var completeWatchers: Int
        public var errors: Int
        public var firstError: String?
        /// From the writer's send (before its POST) to a watcher reading the event.
        public var delivery: LatencySummary
        /// The writer's own creates (one client, sequential).
        public var writes: LatencySummary
    }

    public var creates: Creates
    public var watch: Watch?
    /// The server's memory right after the creates (the "RSS at 10,000 stored pods").
    public var memoryAfterCreates: ProcessMemory?
    public var memoryAtEnd: ProcessMemory?
    public var load: String?

    /// One row of the verdict table.
    public struct Row: Sendable, Equatable {
        public var name: String
        public var measured: String
        public var target: String
        public var pass: Bool
    }

    public static let createsPerSecondTarget = 1000.0
    public static let mutatingP99TargetMs = 50.0
    public static let watchP99TargetMs = 100.0
    public static let rssTargetBytes = 200_000_000

    public var rows: [Row] {
        var rows: [Row] = [
            Row(name: "creates/s (\(creates.clients) clients)", measured: fixed(creates.perSecond, 0),
                target: ">= \(Int(Self.createsPerSecondTarget))", pass: creates.perSecond >= Self.createsPerSecondTarget),
            Row(name: "create p99", measured: fixed(creates.latency.p99, 1) + " ms",
                target: "<= \(Int(Self.mutatingP99TargetMs)) ms", pass: creates.latency.p99 <= Self.mutatingP99TargetMs),
            Row(name: "create errors", measured: "\(creates.errors) of \(creates.requested)", target: "0",
                pass: creates.errors == 0 && creates.latency.count == creates.requested),
        ]
        if let w = watch {
            rows.append(Row(name: "watch delivery p99 (\(w.watchers) watchers)", measured: fixed(w.delivery.p99, 1) + " ms",
                            target: "<= \(Int(Self.watchP99TargetMs)) ms", pass: w.delivery.p99 <= Self.watchP99TargetMs
                                && w.delivery.count > 0))
            rows.append(Row(name: "watchers with all \(w.events) in order", measured: "\(w.completeWatchers) of \(w.watchers)",
                            target: "all", pass: w.completeWatchers == w.watchers && w.errors == 0))
        }
        if let m = memoryAfterCreates {
            rows.append(Row(name: "server RSS at \(creates.latency.count) pods", measured: mb(m.rssKiB),
                            target: "<= \(Self.rssTargetBytes / 1_000_000) MB", pass: m.rssKiB * 1024 <= Self.rssTargetBytes))
        }
        return rows
    }

    public var passed: Bool { rows.allSatisfy(\.pass) }

    /// The human-readable report: details, then the table of targets.
    public func render() -> String {
        var out: [String] = []
        if let load { out.append("load average at start: \(load)") }
        out.append("creates: \(creates.latency.count) ok, \(creates.errors) errors in \(fixed(creates.seconds, 2)) s, "
            + "\(fixed(creates.perSecond, 0))/s; latency p50 \(fixed(creates.latency.p50, 1)) ms, p99 "
            + "\(fixed(creates.latency.p99, 1)) ms, max \(fixed(creates.latency.max, 1)) ms")
        if let e = creates.firstError { out.append("  first create error: \(e)") }
        if let w = watch {
            out.append("watch: \(w.watchers) watchers x \(w.events) events, \(w.delivery.count) deliveries; "
                + "delivery p50 \(fixed(w.delivery.p50, 1)) ms, p99 \(fixed(w.delivery.p99, 1)) ms, max "
                + "\(fixed(w.delivery.max, 1)) ms; writer create p50 \(fixed(w.writes.p50, 1)) ms, p99 \(fixed(w.writes.p99, 1)) ms")
            if let e = w.firstError { out.append("  first watch error: \(e)") }
        }
        if let m = memoryAfterCreates { out.append("server memory after creates: VmRSS \(mb(m.rssKiB)), VmHWM \(mb(m.peakKiB))") }
        if let m = memoryAtEnd { out.append("server memory at end: VmRSS \(mb(m.rssKiB)), VmHWM \(mb(m.peakKiB))") }
        out.append("")
        let width = max(28, rows.map(\.name.count).max() ?? 0)
        out.append(pad("target", width) + "  " + pad("measured", 14) + "  " + pad("goal", 10) + "  result")
        for r in rows {
            out.append(pad(r.name, width) + "  " + pad(r.measured, 14) + "  " + pad(r.target, 10) + "  " + (r.pass ? "PASS" : "FAIL"))
        }
        out.append(passed ? "API server benchmark: PASS" : "API server benchmark: FAIL")
        return out.joined(separator: "\n")
    }
}

func fixed(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (x * scale).rounded() / scale
    if digits == 0 { return String(Int(r)) }
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    }
    return s
}

func mb(_ kib: Int) -> String { fixed(Double(kib) * 1024 / 1_000_000, 1) + " MB" }

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
