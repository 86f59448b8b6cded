/// The scheduler's and the controller manager's clocks, under kube-controller-manager's flag names
/// (`--node-monitor-grace-period`, `--node-monitor-period`, `--leader-elect-lease-duration`,
/// `--leader-elect-renew-deadline`, `--leader-elect-retry-period`) and with its defaults. Tests
/// shorten them to see a node go NotReady or a leader fail over in seconds.
public struct ControlLoopTimings: Sendable, Hashable {
    public var nodeMonitorGracePeriod: Duration = .seconds(40)
    public var nodeMonitorPeriod: Duration = .seconds(5)
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)

    public init() {}

    /// client-go refuses these orderings at start (leaderelection.NewLeaderElector); so do we.
    public func validate() throws(ConfigError) {
        guard leaseDuration > renewDeadline else {
            throw .invalidTimings("--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline")
        }
        guard renewDeadline > retryPeriod, retryPeriod > .zero else {
            throw .invalidTimings("--leader-elect-renew-deadline must be greater than --leader-elect-retry-period, which must be positive")
        }
        guard nodeMonitorPeriod > .zero, nodeMonitorGracePeriod > .zero else {
            throw .invalidTimings("--node-monitor-period and --node-monitor-grace-period must be positive")
        }
    }

    /// A Go `time.Duration` as flags spell it: `40s`, `500ms`, `1m30s`, `1.5h`; units ns, us (µs),
    /// ms, s, m, h. Also a bare number of seconds (`40`), which Go would refuse, as our earlier
    /// seconds-only `--node-monitor-grace-period` took.
    public static func parseDuration(_ text: String) throws(ConfigError) -> Duration {
        if let seconds = Double(text), seconds >= 0, seconds.isFinite { return .nanoseconds(Int64((seconds * 1e9).rounded())) }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var seconds = 0.0
        guard !rest.isEmpty else { throw .invalidDuration(text) }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { throw .invalidDuration(text) }
            rest = rest.dropFirst(number.count)
            // Longest unit first: "ms" before "m".
            guard let unit = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else {
                throw .invalidDuration(text)
            }
            rest = rest.dropFirst(unit.0.count)
            seconds += value * unit.1
        }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
