import KubeAPI

/// Which repeated events become one Event object with a rising count (client-go's EventCorrelator,
/// its exact-duplicate part): the same source, object, type, reason and message.
public struct EventAggregation: Sendable {
    public struct Key: Hashable, Sendable {
        public var component: String
        public var object: ObjectReference
        public var type: String
        public var reason: String
        public var message: String

        public init(component: String, object: ObjectReference, type: String, reason: String, message: String) {
            self.component = component
            self.object = object
            self.type = type
            self.reason = reason
            self.message = message
        }
    }

    public enum Action: Hashable, Sendable {
        /// A new Event object with this name and count 1.
        case create(name: String)
        /// Bump the existing Event `name` to `count`, first seen at `firstTimestamp`.
        case update(name: String, count: Int32, firstTimestamp: Time)
    }

    struct Entry {
        var name: String
        var count: Int32
        var firstTimestamp: Time
        var lastUsed: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var tick: UInt64 = 0
    public let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = capacity }

    /// The action for one more occurrence at `now` (seconds) / `nanos` (for a unique name).
    public mutating func observe(_ key: Key, now: Time, nanos: Int64) -> Action {
        tick += 1
        if var e = entries[key] {
            e.count += 1
            e.lastUsed = tick
            entries[key] = e
            return .update(name: e.name, count: e.count, firstTimestamp: e.firstTimestamp)
        }
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            entries[oldest] = nil
        }
        // client-go's name: the object's name and the time in hex nanoseconds.
        let name = (key.object.name ?? "event") + "." + String(UInt64(bitPattern: nanos), radix: 16)
        entries[key] = Entry(name: name, count: 1, firstTimestamp: now, lastUsed: tick)
        return .create(name: name)
    }

    /// Forgets `key` (its Event is gone from the server: the next occurrence creates a new one).
    public mutating func forget(_ key: Key) { entries[key] = nil }
}
