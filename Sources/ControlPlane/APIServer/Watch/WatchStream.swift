import Channels
import Glibc
import KubeAPI
import Store
import Synchronization

/// One client's watch: the initial state when asked for (synthetic ADDED events), then the store's
/// changes for the collection, filtered and translated, as newline-delimited JSON. Each watch has its
/// own bounded buffer: a client that falls that far behind is disconnected (it re-lists), it never
/// holds up anyone else. A start revision that was compacted ends the stream with an ERROR event
/// carrying a 410 Expired Status, as Kubernetes does.
struct WatchRequest: Sendable {
    var strategy: ResourceStrategy
    var namespace: String
    var options: ListOptions
    /// Set when the client asked for Tables: each event's object becomes a one-row Table, with this
    /// `includeObject` choice.
    var tableInclude: String? = nil

    func line(_ type: WatchEventType, _ object: JSONValue) -> [UInt8] {
        guard let include = tableInclude, type != .bookmark, type != .error else { return WatchEventFilter.line(type, object) }
        return WatchEventFilter.line(type, TableOutput.table(strategy, [object], listMetadata: nil, include: include))
    }
}

final class WatchStream: Sendable {
    let registry: Registry
    let client: any KeyValueClient
    let config: APIServerConfig
    /// Per resource; a watch the cache can serve never reaches the store.
    let caches: [String: WatchCache]

    init(registry: Registry, client: any KeyValueClient, config: APIServerConfig, caches: [String: WatchCache]) {
        self.registry = registry
        self.client = client
        self.config = config
        self.caches = caches
    }

    final class Progress: Sendable {
        let lastRevision = Mutex<Int64>(0)
    }

    func start(_ request: WatchRequest, tracker: WatchTracker) async -> ResponseStream {
        let continuation = ResponseStream(limit: .dropNewest(config.watchBufferSize))
        let progress = Progress()
        let filter = WatchEventFilter(strategy: request.strategy, labelSelector: request.options.labelSelector,
                                      fieldSelector: request.options.fieldSelector)
        let strategy = request.strategy
        let cache = caches[strategy.resource]
        var subscribed: Int?
        switch cache?.subscribe(request, continuation: continuation) {
        case .subscribed(let id):
            subscribed = id
        case .ahead(let rv):
            // One linearizable read tells whether the store has reached rv; if so the cache serves it.
            if let current = try? await registry.store.currentRevision(), rv <= current,
               case .subscribed(let id) = cache?.subscribe(request, continuation: continuation, storeReached: current)
            {
                subscribed = id
            }
        case .unavailable, nil:
            break
        }
        let cacheID = subscribed
        let startedAfter = request.options.resourceVersionNumber ?? 0
        var mainTask: Task<Void, Never>?
        if cacheID == nil {
            mainTask = Task {
                await self.run(request, filter: filter, progress: progress, continuation: continuation)
                continuation.finish()
            }
        }
        let main = mainTask
        let timeout = request.options.timeoutSeconds ?? config.defaultWatchTimeoutSeconds
        let timer = Task {
            try? await Task.sleep(for: .seconds(timeout))
            continuation.finish()
        }
        var bookmarkTask: Task<Void, Never>?
        if request.options.allowWatchBookmarks {
            let interval = config.bookmarkIntervalSeconds
            bookmarkTask = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))
                    if Task.isCancelled { break }
                    // A watch the cache took while ahead of it must not be told of an older revision.
                    let rv = cacheID != nil ? max(cache?.revision ?? 0, startedAfter) : progress.lastRevision.withLock { $0 }
                    guard rv > 0 else { continue }
                    if continuation.send(WatchStream.bookmark(strategy, rv)) == .dropped { continuation.finish() }
                }
            }
        }
        let bookmarks = bookmarkTask
        let id = tracker.add(continuation)
        continuation.onTermination {
            main?.cancel()
            if let cacheID { cache?.unsubscribe(cacheID) }
            timer.cancel()
            bookmarks?.cancel()
            tracker.remove(id)
        }
        return continuation
    }

    static func bookmark(_ strategy: ResourceStrategy, _ rv: Int64, initialEventsEnd: Bool = false) -> [UInt8] {
        var meta: [String: JSONValue] = ["resourceVersion": .string(String(rv))]
        if initialEventsEnd { meta["annotations"] = .object(["k8s.io/initial-events-end": .string("true")]) }
        return WatchEventFilter.line(.bookmark, .object([
            "kind": .string(strategy.info.kind), "apiVersion": .string(strategy.info.groupVersion),
            "metadata": .object(meta),
        ]))
    }

    static func errorLine(_ status: Status) -> [UInt8] {
        let object = (try? JSONValue(encoding: status)) ?? .null
        return WatchEventFilter.line(.error, object)
    }

    private func run(_ request: WatchRequest, filter: WatchEventFilter, progress: Progress,
                     continuation: ResponseStream) async {
        /// Yields a line; false when the client is gone or too far behind.
        func send(_ line: [UInt8]) -> Bool { continuation.send(line) == .enqueued }
        let options = request.options
        var startRevision: Int64
        let wantsInitial = options.sendInitialEvents ?? (options.resourceVersion == nil || options.resourceVersion == "0")
        do {
            if wantsInitial {
                var listOptions = options
                listOptions.limit = 0
                listOptions.continueToken = nil
                if options.resourceVersion != "0", options.resourceVersion != nil { listOptions.resourceVersionMatch = nil }
                let list = try await registry.list(request.strategy, namespace: request.namespace, options: listOptions)
                for item in list["items"]?.arrayValue ?? [] {
                    guard send(request.line(.added, item)) else { return }
                }
                let rv = Int64(list["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
                startRevision = rv + 1
                progress.lastRevision.withLock { $0 = rv }
                if options.sendInitialEvents == true && options.allowWatchBookmarks {
                    guard send(WatchStream.bookmark(request.strategy, rv, initialEventsEnd: true)) else { return }
                }
            } else {
                let rv = options.resourceVersionNumber ?? 0
                startRevision = rv + 1
                progress.lastRevision.withLock { $0 = rv }
            }
        } catch {
            _ = send(WatchStream.errorLine(Responses.status(for: error)))
            return
        }

        let prefix = Array(StorageKeys.collectionPrefix(request.strategy.resource, namespace: request.namespace).utf8)
        let events = client.watch(WatchCreateRequest(key: prefix, end: prefixRangeEnd(prefix), startRevision: startRevision,
                                                     prevKV: true, progressNotify: options.allowWatchBookmarks))
        do {
            for try await response in events {
                if response.compactRevision != 0 {
                    _ = send(WatchStream.errorLine(Status.expired("too old resource version: \(startRevision - 1) (\(response.compactRevision))")))
                    return
                }
                if response.canceled { return }
                if response.events.isEmpty {
                    progress.lastRevision.withLock { $0 = max($0, response.revision) }
                    continue
                }
                for event in response.events {
                    if let (type, object) = filter.translate(event) {
                        guard send(request.line(type, object)) else { return }
                    }
                }
                if let last = response.events.last?.kv.modRevision {
                    progress.lastRevision.withLock { $0 = max($0, last) }
                }
            }
        } catch MVCCError.compacted(let c) {
            _ = send(WatchStream.errorLine(Status.expired("too old resource version: \(startRevision - 1) (\(c))")))
        } catch is CancellationError {
            return
        } catch {
            _ = send(WatchStream.errorLine(Responses.status(for: error)))
        }
    }
}

/// The open watches, so `stop()` can end them all.
final class WatchTracker: Sendable {
    private let state = Mutex<(next: Int, open: [Int: ResponseStream])>((0, [:]))

    func add(_ c: ResponseStream) -> Int {
        state.withLock { s in
            s.next += 1
            s.open[s.next] = c
            return s.next
        }
    }

    func remove(_ id: Int) { state.withLock { _ = $0.open.removeValue(forKey: id) } }

    var count: Int { state.withLock { $0.open.count } }

    func finishAll() {
        let all = state.withLock { s in
            let v = Array(s.open.values)
            s.open = [:]
            return v
        }
        for c in all { c.finish() }
    }
}
