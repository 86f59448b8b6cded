import KubeAPI
import Scheduler

/// What the benchmark computes from its records: throughput between the first and the last bind,
/// per-pod latency percentiles, and whether any node holds more than it can.
public struct BindStats: Sendable, Equatable {
    public var bound: Int
    public var firstBind: Double
    public var lastBind: Double
    public var p50: Double
    public var p99: Double
    public var max: Double

    /// Pods per second from the first bind to the last (n binds span n − 1 intervals).
    public var podsPerSecond: Double {
        let span = lastBind - firstBind
        return span > 0 ? Double(bound - 1) / span : 0
    }

    /// `readyAt`: when each pod became schedulable (its create answered, or the scheduler resumed if
    /// later); `boundAt`: when it was seen bound. Pods with no bind are left out; nil when none bound.
    public static func compute(readyAt: [String: Double], boundAt: [String: Double]) -> BindStats? {
        var latencies: [Double] = []
        latencies.reserveCapacity(boundAt.count)
        var first = Double.infinity
        var last = -Double.infinity
        for (name, bound) in boundAt {
            first = Swift.min(first, bound)
            last = Swift.max(last, bound)
            // The watch can deliver the bind before the create's answer arrives: that is no wait at all.
            if let ready = readyAt[name] { latencies.append(Swift.max(0, bound - ready)) }
        }
        guard !boundAt.isEmpty else { return nil }
        let summary = LatencySummary(latencies)
        return BindStats(bound: boundAt.count, firstBind: first, lastBind: last, p50: summary.p50, p99: summary.p99,
                         max: summary.max)
    }
}

/// Per node, what its bound pods ask for against what it has.
public enum NodeFit {
    /// Names (with what overflowed) of nodes whose bound pods' requests exceed their allocatable cpu,
    /// memory or pod count, or that hold pods though they do not exist.
    public static func overcommitted(nodes: [Node], pods: [Pod]) -> [String] {
        struct Use { var cpu: Int64 = 0; var memory: Int64 = 0; var pods: Int64 = 0 }
        var use: [String: Use] = [:]
        for pod in pods {
            guard let node = pod.spec?.nodeName, !node.isEmpty else { continue }
            let r = PodRequests(pod.spec)
            use[node, default: Use()].cpu += r.cpuMilli
            use[node, default: Use()].memory += r.memory
            use[node, default: Use()].pods += 1
        }
        var byName: [String: Node] = [:]
        for n in nodes { if let name = n.metadata.name { byName[name] = n } }
        var bad: [String] = []
        for (name, u) in use.sorted(by: { $0.key < $1.key }) {
            guard let a = byName[name]?.status?.allocatable else {
                bad.append("\(name): no such node")
                continue
            }
            var over: [String] = []
            if let cpu = a["cpu"], u.cpu > cpu.milliValue { over.append("cpu \(u.cpu)m > \(cpu.milliValue)m") }
            if let mem = a["memory"], u.memory > mem.value { over.append("memory \(u.memory) > \(mem.value)") }
            if let p = a["pods"], u.pods > p.value { over.append("pods \(u.pods) > \(p.value)") }
            if !over.isEmpty { bad.append("\(name): " + over.joined(separator: ", ")) }
        }
        return bad
    }
}
