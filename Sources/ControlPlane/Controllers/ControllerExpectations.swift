/// kube's `ControllerExpectations`: after a controller asks for N creates or deletes it waits until
/// its informer has seen them (or 5 minutes pass) before acting on the same object again, so a stale
/// cache never makes it create twice.
public struct ControllerExpectations: Sendable {
    struct Entry: Sendable {
        var adds: Int
        var deletes: Set<String>
        var timestamp: Double
    }
    private var entries: [String: Entry] = [:]
    public var ttl: Double = 300

    public init() {}

    public mutating func expectCreations(_ key: String, _ count: Int, now: Double) {
        var e = entries[key] ?? Entry(adds: 0, deletes: [], timestamp: now)
        e.adds += count
        e.timestamp = now
        entries[key] = e
    }

    public mutating func expectDeletions(_ key: String, podKeys: [String], now: Double) {
        var e = entries[key] ?? Entry(adds: 0, deletes: [], timestamp: now)
        e.deletes.formUnion(podKeys)
        e.timestamp = now
        entries[key] = e
    }

    /// A pod owned by `key` was seen created (or a create failed and will never be seen).
    public mutating func creationObserved(_ key: String) {
        guard var e = entries[key] else { return }
        e.adds = max(0, e.adds - 1)
        entries[key] = e
    }

    public mutating func deletionObserved(_ key: String, podKey: String) {
        entries[key]?.deletes.remove(podKey)
    }

    public mutating func delete(_ key: String) { entries[key] = nil }

    /// True when nothing is pending, nothing was ever expected, or the expectations expired.
    public func satisfied(_ key: String, now: Double) -> Bool {
        guard let e = entries[key] else { return true }
        if e.adds <= 0 && e.deletes.isEmpty { return true }
        return now - e.timestamp > ttl
    }

    public func pendingCreations(_ key: String) -> Int { entries[key]?.adds ?? 0 }
}
