/// kube's scheduling queue, as a value with time passed in: `active` pods are tried in order; a pod
/// that failed waits in `unschedulable` until a cluster event (node added or changed, pod deleted)
/// or 5 minutes pass, then goes to back-off until its back-off (1 s doubling to 10 s per attempt,
/// podInitialBackoff / podMaxBackoff) has run out, then back to `active`.
public struct SchedulingQueue<Item: Sendable>: Sendable {
    public struct Entry: Sendable {
        public var item: Item
        public var attempts: Int
        /// When the last failed attempt happened (seconds, the caller's clock).
        public var lastFailure: Double
    }

    public var initialBackoff: Double = 1
    public var maxBackoff: Double = 10
    /// kube's podMaxInUnschedulablePodsDuration.
    public var maxUnschedulableWait: Double = 300

    private var activeOrder: [String] = []
    private var activeHead = 0
    private var entries: [String: Entry] = [:]
    private var state: [String: Where] = [:]
    private enum Where { case active, backoff, unschedulable, inFlight }
    /// Flushing walks every queued pod: between cluster events it runs at most every `flushInterval`
    /// seconds, so popping thousands of pods stays linear.
    public var flushInterval: Double = 0.1
    private var lastFlush = -Double.infinity

    public init() {}

    public var activeCount: Int { state.values.filter { $0 == .active }.count }
    public var backoffCount: Int { state.values.filter { $0 == .backoff }.count }
    public var unschedulableCount: Int { state.values.filter { $0 == .unschedulable }.count }
    public var count: Int { state.count }
    public func contains(_ key: String) -> Bool { state[key] != nil }

    public func backoffDuration(attempts: Int) -> Double {
        var d = initialBackoff
        var i = 1
        while i < attempts, d < maxBackoff {
            d *= 2
            i += 1
        }
        return min(d, maxBackoff)
    }

    /// Adds a new pending pod, or refreshes the stored copy of one already queued (keeping its place).
    public mutating func add(_ key: String, _ item: Item) {
        if state[key] != nil {
            entries[key]?.item = item
            return
        }
        entries[key] = Entry(item: item, attempts: 0, lastFailure: 0)
        state[key] = .active
        activeOrder.append(key)
    }

    public mutating func remove(_ key: String) {
        entries[key] = nil
        state[key] = nil
    }

    /// The next active pod, marked in flight until `done` or `failed`.
    public mutating func pop() -> (key: String, item: Item)? {
        while activeHead < activeOrder.count {
            let key = activeOrder[activeHead]
            activeHead += 1
            if state[key] == .active, let e = entries[key] {
                state[key] = .inFlight
                compactIfNeeded()
                return (key, e.item)
            }
        }
        compactIfNeeded()
        return nil
    }

    private mutating func compactIfNeeded() {
        if activeHead > 1024, activeHead * 2 > activeOrder.count {
            activeOrder.removeFirst(activeHead)
            activeHead = 0
        }
    }

    /// The pod was bound (or dropped): forget it.
    public mutating func done(_ key: String) { remove(key) }

    /// The pod fit no node: park it until a cluster event.
    public mutating func failed(_ key: String, now: Double) {
        guard state[key] != nil else { return }
        entries[key]?.attempts += 1
        entries[key]?.lastFailure = now
        state[key] = .unschedulable
    }

    /// A pod whose attempt failed outside the algorithm (binding error): straight to back-off.
    public mutating func addBackoff(_ key: String, _ item: Item, now: Double) {
        var e = entries[key] ?? Entry(item: item, attempts: 0, lastFailure: now)
        e.item = item
        e.attempts += 1
        e.lastFailure = now
        entries[key] = e
        state[key] = .backoff
    }

    /// A node was added or changed, or a pod was deleted: every parked pod may fit now.
    public mutating func clusterChanged(now: Double) {
        for (key, w) in state where w == .unschedulable { state[key] = .backoff }
        flush(now: now, force: true)
    }

    /// Moves pods whose back-off has run out to active, and pods parked too long to back-off.
    public mutating func flush(now: Double, force: Bool = false) {
        if !force && now - lastFlush < flushInterval { return }
        lastFlush = now
        for (key, w) in state {
            guard let e = entries[key] else { continue }
            switch w {
            case .unschedulable where now - e.lastFailure >= maxUnschedulableWait:
                state[key] = .active
                activeOrder.append(key)
            case .backoff where now >= e.lastFailure + backoffDuration(attempts: e.attempts):
                state[key] = .active
                activeOrder.append(key)
            default: break
            }
        }
    }

    /// The earliest time a backing-off pod becomes active (for the loop's sleep), if any.
    public func nextBackoffExpiry() -> Double? {
        var best: Double?
        for (key, w) in state where w == .backoff {
            guard let e = entries[key] else { continue }
            let t = e.lastFailure + backoffDuration(attempts: e.attempts)
            best = min(best ?? t, t)
        }
        return best
    }

    public func attempts(_ key: String) -> Int { entries[key]?.attempts ?? 0 }
}
