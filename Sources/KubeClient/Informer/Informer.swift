import KubeAPI
import Logging
import Synchronization

/// client-go's shared informer for one kind: a reflector that lists, then watches from the list's
/// resourceVersion (relisting on 410 Gone or a broken watch, with back-off; rewatching when the
/// server ends a watch), an `ObjectCache` it keeps current, and handlers it tells of every change.
///
///     let pods = Informer(APIListerWatcher(client: client, Pod.self),
///                         indexers: ["nodeName": { [$0.spec?.nodeName ?? ""] }])
///     pods.addHandler(InformerHandler(onAdd: { queue.add(ObjectCache<Pod>.key(of: $0)) }))
///     let task = Task { await pods.run() }
///     await pods.waitForSync()
public final class Informer<Object: KubeObject>: Sendable {
    public struct Timing: Sendable {
        /// Back-off after a failed list or watch: doubles from `initialBackoff` to `maxBackoff`.
        public var initialBackoff: Duration
        public var maxBackoff: Duration
        /// Each watch asks the server to end it after a random time in this range, so connections
        /// are refreshed and load spreads (client-go: 5–10 minutes).
        public var watchTimeoutSeconds: ClosedRange<Int>
        /// Every object is redelivered as an update this often; nil: never.
        public var resyncPeriod: Duration?
        /// Page size of the list.
        public var listPageSize: Int

        public init(initialBackoff: Duration = .milliseconds(800), maxBackoff: Duration = .seconds(30),
                    watchTimeoutSeconds: ClosedRange<Int> = 300...600, resyncPeriod: Duration? = nil,
                    listPageSize: Int = 500) {
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.resyncPeriod = resyncPeriod
            self.listPageSize = listPageSize
        }
    }

    public let cache: ObjectCache<Object>
    private let source: any ListerWatcher<Object>
    private let timing: Timing
    private let logger: Logger
    private let handlers = Mutex<[InformerHandler<Object>]>([])
    /// Serializes cache changes with their delivery, so handlers see changes in cache order.
    private let delivery = Mutex(())
    private let progress = Mutex(Progress())

    struct Progress {
        var synced = false
        var resourceVersion: String?
        var lists = 0
        var watches = 0
    }

    public init(_ source: some ListerWatcher<Object>, indexers: [String: ObjectCache<Object>.IndexFunction] = [:],
                timing: Timing = Timing(),
                logger: Logger = Logger(label: "swiftlet.kubeclient.informer", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.source = source
        self.cache = ObjectCache(indexers: indexers)
        self.timing = timing
        var logger = logger
        logger[metadataKey: "kind"] = "\(Object.kind)"
        self.logger = logger
    }

    /// True once the first list is in the cache and its handlers have run.
    public var hasSynced: Bool { progress.withLock { $0.synced } }

    /// The resourceVersion the cache is current to.
    public var lastSyncResourceVersion: String? { progress.withLock { $0.resourceVersion } }

    /// How many lists and watches the reflector has started (tests follow relists with them).
    public var listCount: Int { progress.withLock { $0.lists } }
    public var watchCount: Int { progress.withLock { $0.watches } }

    /// Adds a handler; if the cache already holds objects they are delivered to it as adds first.
    /// Not to be called from inside a handler (delivery is serialized by the lock this takes).
    public func addHandler(_ handler: InformerHandler<Object>) {
        delivery.withLock { _ in
            handlers.withLock { $0.append(handler) }
            for o in cache.list() { handler.onAdd(o) }
        }
    }

    /// Waits until synced (true) or the task is cancelled (false).
    @discardableResult
    public func waitForSync() async -> Bool {
        while !hasSynced {
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                return false
            }
        }
        return true
    }

    /// Lists and watches until the calling task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            if let period = timing.resyncPeriod {
                group.addTask { await self.resyncLoop(period) }
            }
            group.addTask { await self.reflect() }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: the reflector

    private func reflect() async {
        var backoff = timing.initialBackoff
        var listed = false
        while !Task.isCancelled {
            do {
                listed = false
                try await listAndWatch(resetting: &backoff, listed: &listed)
            } catch is CancellationError {
                return
            } catch let error as KubeClientError where error.isGone && listed {
                // The version we watched from is compacted away: relist at once.
                logger.info("relisting", metadata: ["reason": "\(error)"])
                continue
            } catch {
                if Task.isCancelled { return }
                logger.warning("list/watch failed", metadata: ["error": "\(error)", "retryIn": "\(backoff)"])
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    return
                }
                backoff = min(backoff * 2, timing.maxBackoff)
                continue
            }
        }
    }

    /// One list, then watches from its version until one fails (thrown) or the task is cancelled.
    private func listAndWatch(resetting backoff: inout Duration, listed: inout Bool) async throws {
        progress.withLock { $0.lists += 1 }
        let list = try await source.list(options: ListOptions(limit: timing.listPageSize))
        try Task.checkCancellation()
        var resourceVersion = list.metadata.resourceVersion ?? ""
        replace(with: list.items, resourceVersion: resourceVersion)
        backoff = timing.initialBackoff
        listed = true
        while !Task.isCancelled {
            progress.withLock { $0.watches += 1 }
            let options = WatchOptions(resourceVersion: resourceVersion, allowWatchBookmarks: true,
                                       timeoutSeconds: Int.random(in: timing.watchTimeoutSeconds))
            let events = try await source.watch(options: options)
            for try await event in events {
                apply(event)
                if let rv = event.resourceVersion, !rv.isEmpty {
                    resourceVersion = rv
                    progress.withLock { $0.resourceVersion = rv }
                }
            }
            // The server ended the watch (its timeout): resume from where we are.
        }
        throw CancellationError()
    }

    private func replace(with objects: [Object], resourceVersion: String) {
        delivery.withLock { _ in
            let result = cache.replace(with: objects)
            let hs = handlers.withLock { $0 }
            for h in hs {
                for (key, old) in result.deleted { h.onDelete(.finalStateUnknown(key: key, lastKnown: old)) }
                for o in result.added { h.onAdd(o) }
                for (old, new) in result.updated { h.onUpdate(old, new) }
            }
            progress.withLock {
                $0.resourceVersion = resourceVersion
                $0.synced = true
            }
        }
    }

    private func apply(_ event: WatchChange<Object>) {
        delivery.withLock { _ in
            let hs = handlers.withLock { $0 }
            switch event {
            case .added(let o), .modified(let o):
                if let old = cache.upsert(o) {
                    for h in hs { h.onUpdate(old, o) }
                } else {
                    for h in hs { h.onAdd(o) }
                }
            case .deleted(let o):
                cache.remove(key: ObjectCache<Object>.key(of: o))
                for h in hs { h.onDelete(.deleted(o)) }
            case .bookmark:
                break
            }
        }
    }

    private func resyncLoop(_ period: Duration) async {
        while true {
            do {
                try await Task.sleep(for: period)
            } catch {
                return
            }
            guard hasSynced else { continue }
            delivery.withLock { _ in
                let hs = handlers.withLock { $0 }
                for o in cache.list() { for h in hs { h.onUpdate(o, o) } }
            }
        }
    }
}
