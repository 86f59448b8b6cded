// Watches (etcd's watchable_store.go and watcher_group.go), as data: no channels, no goroutines.
// Writes go through a WatchableStore; after each one, the changes are matched against the synced
// watchers and queued as responses. Watchers that start in the past are unsynced: `drain` first
// catches them up from the retained history (or reports that their start was compacted), then hands
// out everything queued. Per watcher, events come in revision order, each exactly once.
//
// Watchers are local to a member and not replicated: they are not part of the store state or its
// snapshots.

public struct WatchFilter: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Drop put events.
    public static let noPut = WatchFilter(rawValue: 1)
    /// Drop delete events.
    public static let noDelete = WatchFilter(rawValue: 2)
}

public struct WatchResponse: Hashable, Sendable {
    public var watchID: Int64
    /// Header revision: the store's revision when the response was produced.
    public var revision: Int64
    public var events: [MVCCEvent]
    /// Non-zero when the watcher's start revision was compacted: the watcher is canceled and this is
    /// the compaction revision (the earliest revision it could restart from).
    public var compactRevision: Int64
    public var canceled: Bool

    public init(watchID: Int64, revision: Int64, events: [MVCCEvent], compactRevision: Int64 = 0,
                canceled: Bool = false) {
        self.watchID = watchID
        self.revision = revision
        self.events = events
        self.compactRevision = compactRevision
        self.canceled = canceled
    }
}

struct Watcher: Hashable, Sendable {
    var id: Int64
    var key: [UInt8]
    var end: [UInt8]
    /// The lowest revision whose events this watcher has not been given yet.
    var nextRevision: Int64
    var prevKV: Bool
    var filters: WatchFilter
    /// Up to date with the store: served from live writes, not from history.
    var synced: Bool

    func wants(_ kind: EventKind, _ key: [UInt8]) -> Bool {
        if kind == .put && filters.contains(.noPut) { return false }
        if kind == .delete && filters.contains(.noDelete) { return false }
        return MVCCStore.covers(key: self.key, end: end, key)
    }
}

public struct WatchableStore: Sendable {
    public private(set) var store: MVCCStore
    var watchers: [Int64: Watcher] = [:]
    var nextWatchID: Int64 = 1
    var outbox: [WatchResponse] = []

    public init(_ store: MVCCStore = MVCCStore()) {
        self.store = store
        self.store.recordsEvents = true
        self.store.pendingEvents = []
    }

    public var currentRevision: Int64 { store.currentRevision }

    // MARK: Writes

    /// Runs writes against the store, then notifies the synced watchers of their changes.
    public mutating func update<R, E: Error>(_ body: (inout MVCCStore) throws(E) -> R) throws(E) -> R {
        defer { notify() }
        return try body(&store)
    }

    public mutating func apply(_ command: StoreCommand) -> StoreResult {
        update { $0.apply(command) }
    }

    public mutating func apply(encoded bytes: [UInt8]) -> StoreResult {
        update { $0.apply(encoded: bytes) }
    }

    @discardableResult
    public mutating func put(key: [UInt8], value: [UInt8], lease: Int64 = 0) throws(MVCCError) -> PutResponse {
        try update { (s: inout MVCCStore) throws(MVCCError) in try s.put(key: key, value: value, lease: lease) }
    }

    @discardableResult
    public mutating func deleteRange(key: [UInt8], end: [UInt8] = []) throws(MVCCError) -> DeleteRangeResponse {
        try update { (s: inout MVCCStore) throws(MVCCError) in try s.deleteRange(key: key, end: end) }
    }

    public mutating func txn(_ req: TxnRequest) throws(MVCCError) -> TxnResponse {
        try update { (s: inout MVCCStore) throws(MVCCError) in try s.txn(req) }
    }

    @discardableResult
    public mutating func compact(revision: Int64) throws(MVCCError) -> Int64 {
        try update { (s: inout MVCCStore) throws(MVCCError) in try s.compact(revision: revision) }
    }

    /// Replaces the store with a snapshot. Every watcher becomes unsynced and catches up from the new
    /// history on the next `drain` (or learns that its position was compacted).
    public mutating func restore(snapshot bytes: [UInt8]) throws(MVCCError) {
        var restored = try MVCCStore(snapshot: bytes)
        restored.recordsEvents = true
        store = restored
        for id in watchers.keys { watchers[id]!.synced = false }
    }

    public func range(_ req: RangeRequest) throws(MVCCError) -> RangeResponse { try store.range(req) }

    // MARK: Watchers

    /// Starts a watch on `key` (etcd range_end rules for `end`) from `startRevision`: 0 means "changes
    /// after now"; a past revision replays the retained history from there first.
    public mutating func watch(key: [UInt8], end: [UInt8] = [], startRevision: Int64 = 0, prevKV: Bool = false,
                               filters: WatchFilter = []) -> Int64 {
        let id = nextWatchID
        nextWatchID += 1
        let current = store.currentRevision
        let synced = startRevision <= 0 || startRevision > current
        let next = synced ? max(current + 1, startRevision) : startRevision
        watchers[id] = Watcher(id: id, key: key, end: end, nextRevision: next, prevKV: prevKV,
                               filters: filters, synced: synced)
        return id
    }

    /// Removes a watcher and any of its responses not yet drained. False if there was none.
    @discardableResult
    public mutating func cancel(_ id: Int64) -> Bool {
        guard watchers.removeValue(forKey: id) != nil else { return false }
        outbox.removeAll { $0.watchID == id }
        return true
    }

    public var watcherIDs: [Int64] { watchers.keys.sorted() }

    public func isSynced(_ id: Int64) -> Bool? { watchers[id]?.synced }

    /// Catches unsynced watchers up (each at most `maxEvents` events per call, never splitting a
    /// revision), then returns every queued response in order.
    public mutating func drain(maxEvents: Int = .max) -> [WatchResponse] {
        syncWatchers(maxEvents: maxEvents)
        defer { outbox = [] }
        return outbox
    }

    /// Progress notification (etcd's RequestProgress): an empty response carrying the current revision to
    /// every synced watcher, telling it that it has seen everything up to there. Unsynced watchers get
    /// none: they have not reached that revision yet. Returns the ids notified.
    @discardableResult
    public mutating func requestProgress() -> [Int64] {
        let ids = watchers.values.filter(\.synced).map(\.id).sorted()
        for id in ids { outbox.append(WatchResponse(watchID: id, revision: store.currentRevision, events: [])) }
        return ids
    }

    /// Live path: hands the changes of the writes just made to the synced watchers, one response per
    /// watcher and revision.
    mutating func notify() {
        let events = store.pendingEvents
        guard !events.isEmpty else { return }
        store.pendingEvents = []
        let ids = watchers.values.filter(\.synced).map(\.id).sorted()
        guard !ids.isEmpty else { return }
        var start = 0
        while start < events.count {
            let main = events[start].kv.modRevision
            var stop = start
            while stop < events.count && events[stop].kv.modRevision == main { stop += 1 }
            for id in ids {
                var w = watchers[id]!
                guard main >= w.nextRevision else { continue }
                var matched: [MVCCEvent] = []
                for e in events[start..<stop] where w.wants(e.kind, e.kv.key) {
                    matched.append(w.prevKV ? e : MVCCEvent(kind: e.kind, kv: e.kv))
                }
                w.nextRevision = main + 1
                watchers[id] = w
                if !matched.isEmpty {
                    outbox.append(WatchResponse(watchID: id, revision: store.currentRevision, events: matched))
                }
            }
            start = stop
        }
    }

    /// History path: replays the retained log to each unsynced watcher.
    mutating func syncWatchers(maxEvents: Int) {
        let ids = watchers.values.filter { !$0.synced }.map(\.id).sorted()
        let current = store.currentRevision
        for id in ids {
            var w = watchers[id]!
            if w.nextRevision < store.compactRevision {
                outbox.append(WatchResponse(watchID: id, revision: current, events: [],
                                            compactRevision: store.compactRevision, canceled: true))
                watchers[id] = nil
                continue
            }
            var matched: [MVCCEvent] = []
            var caughtUp = true
            var i = store.logLowerBound(main: w.nextRevision)
            while i < store.log.count {
                let rec = store.log[i]
                let kind: EventKind = rec.tombstone ? .delete : .put
                if w.wants(kind, rec.kv.key) {
                    if matched.count >= maxEvents && matched[matched.count - 1].kv.modRevision != rec.revision.main {
                        w.nextRevision = rec.revision.main
                        caughtUp = false
                        break
                    }
                    var prev: KeyValue? = nil
                    if w.prevKV && rec.revision.main - 1 >= store.compactRevision {
                        prev = store.get(rec.kv.key, at: rec.revision.main - 1)
                    }
                    matched.append(MVCCEvent(kind: kind, kv: rec.kv, prevKV: prev))
                }
                i += 1
            }
            if caughtUp {
                w.nextRevision = max(w.nextRevision, current + 1)
                w.synced = true
            }
            watchers[id] = w
            if !matched.isEmpty {
                outbox.append(WatchResponse(watchID: id, revision: current, events: matched))
            }
        }
    }
}
