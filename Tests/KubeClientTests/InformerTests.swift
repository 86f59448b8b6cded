import KubeAPI
import KubeClient
import Synchronization
import Testing

/// A list/watch source the test scripts: lists answer from a queue; each watch hands the test a
/// continuation to push events into.
final class ScriptedSource: ListerWatcher {
    typealias Object = Pod
    private let lists = Mutex<[Result<List<Pod>, KubeClientError>]>([])
    private let watches = Mutex<[(options: WatchOptions, continuation: AsyncThrowingStream<WatchChange<Pod>, any Error>.Continuation)]>([])
    private let listCalls = Mutex(0)

    func enqueueList(_ pods: [Pod], resourceVersion: String) {
        lists.withLock { $0.append(.success(List(items: pods, metadata: ListMeta(resourceVersion: resourceVersion)))) }
    }
    func enqueueListFailure(_ e: KubeClientError) { lists.withLock { $0.append(.failure(e)) } }

    var listsServed: Int { listCalls.withLock { $0 } }
    var watchesOpened: Int { watches.withLock { $0.count } }
    func watch(_ i: Int) -> (options: WatchOptions, continuation: AsyncThrowingStream<WatchChange<Pod>, any Error>.Continuation) {
        watches.withLock { $0[i] }
    }

    func list(options: ListOptions) async throws -> List<Pod> {
        listCalls.withLock { $0 += 1 }
        let next = lists.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        guard let next else { throw KubeClientError.transport(step: "list", target: "script", underlying: "no list scripted") }
        return try next.get()
    }

    func watch(options: WatchOptions) async throws -> WatchEvents<Pod> {
        let (stream, continuation) = AsyncThrowingStream<WatchChange<Pod>, any Error>.makeStream()
        watches.withLock { $0.append((options, continuation)) }
        return WatchEvents(stream)
    }
}

/// What handlers saw, as short strings: "add ns/p@rv", "update ns/p@rv->rv", "delete ns/p", "tombstone ns/p".
final class Recorder: Sendable {
    private let log = Mutex<[String]>([])
    var entries: [String] { log.withLock { $0 } }
    func clear() { log.withLock { $0 = [] } }

    var handler: InformerHandler<Pod> {
        InformerHandler(
            onAdd: { p in self.log.withLock { $0.append("add \(ObjectCache<Pod>.key(of: p))@\(p.metadata.resourceVersion ?? "")") } },
            onUpdate: { o, n in self.log.withLock { $0.append("update \(ObjectCache<Pod>.key(of: n))@\(o.metadata.resourceVersion ?? "")->\(n.metadata.resourceVersion ?? "")") } },
            onDelete: { d in
                self.log.withLock {
                    switch d {
                    case .deleted(let p): $0.append("delete \(ObjectCache<Pod>.key(of: p))")
                    case .finalStateUnknown(let key, _): $0.append("tombstone \(key)")
                    }
                }
            })
    }
}

func pod(_ name: String, ns: String = "default", rv: String, node: String? = nil) -> Pod {
    var p = Pod(metadata: ObjectMeta(name: name, namespace: ns))
    p.metadata.resourceVersion = rv
    if let node {
        var spec = PodSpec(containers: [])
        spec.nodeName = node
        p.spec = spec
    }
    return p
}

@Suite struct InformerTests {
    let fast = Informer<Pod>.Timing(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(40))
    static let byNode: [String: ObjectCache<Pod>.IndexFunction] = ["nodeName": { [$0.spec?.nodeName ?? ""] }]

    @Test func listThenWatchKeepsCacheAndHandlersCurrent() async throws {
        let source = ScriptedSource()
        source.enqueueList([pod("a", rv: "1", node: "n1"), pod("b", ns: "other", rv: "2", node: "n2")], resourceVersion: "5")
        let informer = Informer(source, indexers: Self.byNode, timing: fast)
        let rec = Recorder()
        informer.addHandler(rec.handler)
        #expect(!informer.hasSynced)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        #expect(await informer.waitForSync())
        #expect(Set(rec.entries) == ["add default/a@1", "add other/b@2"])
        #expect(await eventually { source.watchesOpened == 1 })
        #expect(source.watch(0).options.resourceVersion == "5")
        #expect(source.watch(0).options.allowWatchBookmarks)
        rec.clear()

        let w = source.watch(0).continuation
        w.yield(.added(pod("c", rv: "6", node: "n1")))
        w.yield(.modified(pod("a", rv: "7", node: "n2")))
        w.yield(.deleted(pod("b", ns: "other", rv: "8")))
        w.yield(.bookmark(resourceVersion: "9"))
        #expect(await eventually { informer.lastSyncResourceVersion == "9" })
        #expect(rec.entries == ["add default/c@6", "update default/a@1->7", "delete other/b"])
        #expect(informer.cache.count == 2)
        #expect(informer.cache.get(namespace: "default", name: "a")?.metadata.resourceVersion == "7")
        #expect(informer.cache.list(namespace: "other").isEmpty)
        #expect(Set(informer.cache.byIndex("nodeName", "n2").map { $0.metadata.name }) == ["a"])
        #expect(Set(informer.cache.byIndex("nodeName", "n1").map { $0.metadata.name }) == ["c"])
    }

    @Test func goneRelistsWithTombstonesForMissedDeletes() async throws {
        let source = ScriptedSource()
        source.enqueueList([pod("a", rv: "1"), pod("b", rv: "2")], resourceVersion: "2")
        source.enqueueList([pod("a", rv: "10"), pod("d", rv: "11")], resourceVersion: "11")
        let informer = Informer(source, timing: fast)
        let rec = Recorder()
        informer.addHandler(rec.handler)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        #expect(await eventually { source.watchesOpened == 1 })
        rec.clear()
        source.watch(0).continuation.finish(throwing: KubeClientError.status(code: 410, reason: "Expired", message: "too old"))
        #expect(await eventually { source.watchesOpened == 2 })
        #expect(source.listsServed == 2)
        #expect(source.watch(1).options.resourceVersion == "11")
        #expect(Set(rec.entries) == ["tombstone default/b", "add default/d@11", "update default/a@1->10"])
        #expect(rec.entries.first == "tombstone default/b")
        #expect(Set(informer.cache.keys) == ["default/a", "default/d"])
    }

    @Test func aWatchTheServerEndsResumesFromTheLastVersion() async throws {
        let source = ScriptedSource()
        source.enqueueList([], resourceVersion: "3")
        let informer = Informer(source, timing: fast)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        #expect(await eventually { source.watchesOpened == 1 })
        let w = source.watch(0).continuation
        w.yield(.added(pod("a", rv: "4")))
        w.yield(.bookmark(resourceVersion: "8"))
        w.finish()
        #expect(await eventually { source.watchesOpened == 2 })
        #expect(source.watch(1).options.resourceVersion == "8")
        #expect(source.listsServed == 1)
        #expect(informer.cache.count == 1)
    }

    @Test func failedListsBackOffAndRetry() async throws {
        let source = ScriptedSource()
        source.enqueueListFailure(.transport(step: "connect", target: "x", underlying: "refused"))
        source.enqueueListFailure(.status(code: 500, reason: "InternalError", message: "boom"))
        source.enqueueList([pod("a", rv: "1")], resourceVersion: "1")
        let informer = Informer(source, timing: fast)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        let start = ContinuousClock.now
        #expect(await informer.waitForSync())
        #expect(ContinuousClock.now - start >= .milliseconds(30))   // 10 ms + 20 ms of back-off
        #expect(source.listsServed == 3)
        // A broken watch (not Gone) relists after back-off too.
        source.enqueueList([pod("a", rv: "2")], resourceVersion: "2")
        #expect(await eventually { source.watchesOpened == 1 })
        source.watch(0).continuation.finish(throwing: KubeClientError.transport(step: "read", target: "x", underlying: "reset"))
        #expect(await eventually { source.listsServed == 4 && source.watchesOpened == 2 })
        #expect(informer.cache.get(key: "default/a")?.metadata.resourceVersion == "2")
    }

    @Test func aListThatIsGoneBacksOffRatherThanSpinning() async throws {
        let source = ScriptedSource()
        for _ in 0..<3 { source.enqueueListFailure(.status(code: 410, reason: "Expired", message: "continue token expired")) }
        source.enqueueList([], resourceVersion: "1")
        let informer = Informer(source, timing: fast)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        let start = ContinuousClock.now
        #expect(await informer.waitForSync())
        #expect(ContinuousClock.now - start >= .milliseconds(70))   // 10 + 20 + 40 ms
        #expect(source.listsServed == 4)
    }

    @Test func resyncRedeliversEveryObject() async throws {
        let source = ScriptedSource()
        source.enqueueList([pod("a", rv: "1"), pod("b", rv: "1")], resourceVersion: "1")
        var timing = fast
        timing.resyncPeriod = .milliseconds(30)
        let informer = Informer(source, timing: timing)
        let rec = Recorder()
        informer.addHandler(rec.handler)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        #expect(await eventually { rec.entries.filter { $0.hasPrefix("update") }.count >= 4 })
        #expect(rec.entries.contains("update default/a@1->1"))
    }

    @Test func aLateHandlerGetsTheCacheAsAdds() async throws {
        let source = ScriptedSource()
        source.enqueueList([pod("a", rv: "1")], resourceVersion: "1")
        let informer = Informer(source, timing: fast)
        let run = Task { await informer.run() }
        defer { run.cancel() }
        await informer.waitForSync()
        let rec = Recorder()
        informer.addHandler(rec.handler)
        #expect(rec.entries == ["add default/a@1"])
    }

    @Test func cancellingRunStops() async throws {
        let source = ScriptedSource()
        source.enqueueList([], resourceVersion: "1")
        let informer = Informer(source, timing: fast)
        let run = Task { await informer.run() }
        #expect(await eventually { source.watchesOpened == 1 })
        run.cancel()
        await run.value
        #expect(source.listsServed == 1)
    }
}
