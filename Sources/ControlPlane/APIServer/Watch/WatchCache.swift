import Channels
import KubeAPI
import Logging
import Store
import Synchronization

/// One resource's watch cache (kube's `Cacher`): a single store watch over the resource's prefix keeps
/// the current objects and a ring of recent events. It serves lists at resourceVersion "0" and watches
/// that start inside the ring (or at "0") without touching the store; every other request goes to the
/// store. Events fan out to each watcher's own bounded buffer; a watcher that falls a buffer behind is
/// closed, the others never wait for it.
final class WatchCache: Sendable {
    struct Event: Sendable {
        var revision: Int64
        var key: String
        var event: MVCCEvent
    }

    struct Subscriber: Sendable {
        var prefix: String
        var request: WatchRequest
        var filter: WatchEventFilter
        var continuation: ResponseStream
        /// Events at or below this revision are not the watcher's (it asked to start after it).
        var after: Int64
    }

    /// How a watch request fares with the cache.
    enum Subscription: Equatable {
        case subscribed(Int)
        /// The request starts after a revision the cache has not reached yet: it may be served once the
        /// caller has confirmed the store has reached it (a revision from the future is not).
        case ahead(Int64)
        /// The cache cannot serve it gap-free (not ready, compacted out of the ring, or a list).
        case unavailable
    }

    struct State: Sendable {
        var objects: [String: KeyValue] = [:]
        var ring: [Event] = []
        var ringStart = 0
        /// Every event after this revision is in the ring.
        var coveredFrom: Int64 = 0
        /// Every event up to here has been applied.
        var revision: Int64 = 0
        var ready = false
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
    }

    let strategy: ResourceStrategy
    let prefix: String
    let capacity: Int
    let state = Mutex(State())

    init(strategy: ResourceStrategy, capacity: Int = 1024) {
        self.strategy = strategy
        self.prefix = StorageKeys.resourcePrefix(strategy.resource)
        self.capacity = capacity
    }

    /// Lists the prefix and follows it until cancelled; re-lists if the store watch breaks.
    func run(client: any KeyValueClient, logger: Logger) async {
        let p = Array(prefix.utf8)
        while !Task.isCancelled {
            do {
                let r = try await client.range(RangeRequest(key: p, end: prefixRangeEnd(p)))
                state.withLock { s in
                    s.objects = Dictionary(uniqueKeysWithValues: r.kvs.map { (String(decoding: $0.key, as: UTF8.self), $0) })
                    s.ring = []
                    s.ringStart = 0
                    s.revision = r.revision
                    s.coveredFrom = r.revision
                    s.ready = true
                    // Watchers of the previous generation cannot be continued gap-free.
                    for sub in s.subscribers.values { sub.continuation.finish() }
                    s.subscribers = [:]
                }
                let events = client.watch(WatchCreateRequest(key: p, end: prefixRangeEnd(p), startRevision: r.revision + 1,
                                                             prevKV: true, progressNotify: true))
                for try await response in events {
                    if response.compactRevision != 0 { break }
                    apply(response)
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                logger.debug("watch cache restarting", metadata: ["resource": "\(strategy.resource)", "error": "\(error)"])
            }
            state.withLock { $0.ready = false }
            try? await Task.sleep(for: .milliseconds(200))
        }
        // Finishing runs the stream's onTermination, which unsubscribes (takes the lock): not under it.
        let ended = state.withLock { s in
            s.ready = false
            defer { s.subscribers = [:] }
            return s.subscribers.values.map(\.continuation)
        }
        for c in ended { c.finish() }
    }

    func apply(_ response: WatchResponse) {
        // A watcher too slow to keep up is ended after the lock is released: finishing its stream runs
        // onTermination, which unsubscribes and so takes the lock again.
        let ended = state.withLock { s -> [ResponseStream] in
            var ended: [ResponseStream] = []
            for e in response.events {
                let key = String(decoding: e.kv.key, as: UTF8.self)
                if e.kind == .put { s.objects[key] = e.kv } else { s.objects[key] = nil }
                let event = Event(revision: e.kv.modRevision, key: key, event: e)
                if s.ring.count - s.ringStart >= capacity {
                    s.coveredFrom = s.ring[s.ringStart].revision
                    s.ringStart += 1
                }
                s.ring.append(event)
                if s.ringStart > capacity { s.ring.removeFirst(s.ringStart); s.ringStart = 0 }
                s.revision = max(s.revision, e.kv.modRevision)
                // Parsed once and, per event type, encoded once for every plain-JSON watcher: with
                // hundreds of watchers, per-watcher parsing and encoding was the fan-out's whole cost.
                var parsed: ParsedWatchEvent?
                var lines: [WatchEventType: [UInt8]] = [:]
                var gone: [Int] = []
                for (id, sub) in s.subscribers where e.kv.modRevision > sub.after && key.hasPrefix(sub.prefix) {
                    let p = parsed ?? ParsedWatchEvent(e)
                    parsed = p
                    guard let (type, object) = sub.filter.translate(p) else { continue }
                    let line: [UInt8]
                    if sub.request.tableInclude != nil {
                        line = sub.request.line(type, object)
                    } else if let encoded = lines[type] {
                        line = encoded
                    } else {
                        line = WatchEventFilter.line(type, object)
                        lines[type] = line
                    }
                    if !WatchCache.send(sub.continuation, line) { gone.append(id) }
                }
                for id in gone { if let sub = s.subscribers.removeValue(forKey: id) { ended.append(sub.continuation) } }
            }
            if response.events.isEmpty { s.revision = max(s.revision, response.revision) }
            return ended
        }
        for c in ended { c.finish() }
    }

    static func send(_ c: ResponseStream, _ line: [UInt8]) -> Bool { c.send(line) == .enqueued }

    /// The collection at the cache's revision, filtered, or nil when the cache is not ready.
    func list(namespace: String, options: ListOptions) -> (items: [JSONValue], revision: Int64)? {
        let scope = StorageKeys.collectionPrefix(strategy.resource, namespace: namespace)
        let filter = WatchEventFilter(strategy: strategy, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
        return state.withLock { s -> (items: [JSONValue], revision: Int64)? in
            guard s.ready else { return nil }
            var items: [JSONValue] = []
            for key in s.objects.keys.sorted() where key.hasPrefix(scope) {
                guard let kv = s.objects[key], let obj = try? ObjectStore.decode(kv).object, filter.matches(obj) else { continue }
                items.append(obj)
            }
            return (items, s.revision)
        }
    }

    /// Starts a watch from the cache if it can serve `request` gap-free: from "0" (current state, then
    /// changes), from a revision the ring still covers, or — once the caller has confirmed the store has
    /// reached it (`storeReached`) — from a revision the cache's own watch has not delivered yet: the
    /// watcher then skips events up to it. A cache only hears of its own resource's writes, so a
    /// resourceVersion from a list of another resource, or from a list read at the store, is often ahead.
    func subscribe(_ request: WatchRequest, continuation: ResponseStream, storeReached: Int64 = 0) -> Subscription {
        let scope = StorageKeys.collectionPrefix(strategy.resource, namespace: request.namespace)
        let filter = WatchEventFilter(strategy: strategy, labelSelector: request.options.labelSelector,
                                      fieldSelector: request.options.fieldSelector)
        return state.withLock { s -> Subscription in
            guard s.ready else { return .unavailable }
            let after: Int64
            if request.options.resourceVersion == "0" && request.options.sendInitialEvents != false {
                for key in s.objects.keys.sorted() where key.hasPrefix(scope) {
                    guard let kv = s.objects[key], let obj = try? ObjectStore.decode(kv).object, filter.matches(obj) else { continue }
                    if !WatchCache.send(continuation, request.line(.added, obj)) { return .unavailable }
                }
                after = s.revision
            } else if let rv = request.options.resourceVersionNumber, request.options.sendInitialEvents != true {
                // Gap-free only if the ring holds every event after rv and the cache has seen up to rv.
                guard rv >= s.coveredFrom else { return .unavailable }
                if rv > s.revision {
                    guard rv <= storeReached else { return .ahead(rv) }
                } else {
                    for e in s.ring[s.ringStart...] where e.revision > rv && e.key.hasPrefix(scope) {
                        guard let (type, object) = filter.translate(e.event) else { continue }
                        if !WatchCache.send(continuation, request.line(type, object)) { return .unavailable }
                    }
                }
                after = rv
            } else {
                return .unavailable
            }
            s.nextID += 1
            s.subscribers[s.nextID] = Subscriber(prefix: scope, request: request, filter: filter, continuation: continuation, after: after)
            return .subscribed(s.nextID)
        }
    }

    /// The object at `key` as the cache holds it: nil when the cache is not ready, `.some(nil)` when it
    /// has no such object.
    func object(at key: String) -> KeyValue?? {
        state.withLock { s in s.ready ? .some(s.objects[key]) : nil }
    }

    func unsubscribe(_ id: Int) { state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }

    var revision: Int64 { state.withLock { $0.revision } }
}
