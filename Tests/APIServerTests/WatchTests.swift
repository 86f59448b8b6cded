@testable import APIServer
import Channels
import KubeAPI
import Store
import Testing

@Suite struct WatchTests {
    @Test func watchWithoutResourceVersionStartsWithSyntheticAdds() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"a"}}"#)
        let r = await env.call("GET", "/api/v1/namespaces/default/configmaps", query: [("watch", "true")])
        #expect(r.status == 200)
        let reader = try WatchReader(r)
        let first = try await reader.next(1)
        #expect(first[0].0 == "ADDED" && first[0].1.metaString("name") == "a")
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"b"}}"#)
        _ = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/b", body: #"{"data":{"x":"y"}}"#,
                               contentType: "application/merge-patch+json")
        _ = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/b")
        let rest = try await reader.next(3)
        #expect(rest.map(\.0) == ["ADDED", "MODIFIED", "DELETED"])
        #expect(rest.allSatisfy { $0.1.metaString("name") == "b" })
        let rvs = rest.compactMap { Int64($0.1.metaString("resourceVersion") ?? "") }
        #expect(rvs.count == 3 && rvs == rvs.sorted() && Set(rvs).count == 3)
    }

    @Test func watchFromResourceVersionAndSelectorTransitions() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (_, list) = try await env.json("GET", "/api/v1/namespaces/default/pods")
        let rv = try #require(list["metadata"]?["resourceVersion"]?.stringValue)
        let r = await env.call("GET", "/api/v1/namespaces/default/pods",
                               query: [("watch", "1"), ("resourceVersion", rv), ("labelSelector", "app=web")])
        let reader = try WatchReader(r)
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("other", labels: ["app": "db"]))
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("p", labels: ["app": "web"]))
        // Leaving the selector is a DELETED event, coming back an ADDED one.
        let (p1, r1) = try await env.json("PATCH", "/api/v1/namespaces/default/pods/p", body: #"{"metadata":{"labels":{"app":"x"}}}"#,
                                          contentType: "application/merge-patch+json")
        #expect(p1 == 200, "\(r1)")
        let (p2, r2) = try await env.json("PATCH", "/api/v1/namespaces/default/pods/p", body: #"{"metadata":{"labels":{"app":"web"}}}"#,
                                          contentType: "application/merge-patch+json")
        #expect(p2 == 200, "\(r2)")
        let events = try await reader.next(3)
        #expect(events.map(\.0) == ["ADDED", "DELETED", "ADDED"])
        #expect(events.allSatisfy { $0.1.metaString("name") == "p" })
    }

    @Test func compactedResourceVersionIsAn410ErrorEvent() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        for i in 0..<3 { _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c\#(i)"}}"#) }
        let head = await env.store.currentRevision
        _ = try await env.store.compact(revision: head - 1)
        let r = await env.call("GET", "/api/v1/namespaces/default/configmaps", query: [("watch", "true"), ("resourceVersion", "2")])
        let reader = try WatchReader(r)
        let e = try await reader.next(1)
        #expect(e[0].0 == "ERROR")
        #expect(e[0].1["code"] == .integer(410))
        #expect(e[0].1["reason"] == .string("Expired"))
        #expect(e[0].1["message"] == .string("too old resource version: 2 (\(head - 1))"))
        #expect(try await reader.ended())
    }

    @Test func hundredConcurrentWatchersSeeEveryEventInOrder() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (_, list) = try await env.json("GET", "/api/v1/namespaces/default/configmaps")
        let rv = try #require(list["metadata"]?["resourceVersion"]?.stringValue)
        var readers: [WatchReader] = []
        for _ in 0..<100 {
            let r = await env.call("GET", "/api/v1/namespaces/default/configmaps", query: [("watch", "true"), ("resourceVersion", rv)])
            readers.append(try WatchReader(r))
        }
        let writes = 30
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<3 {
                group.addTask {
                    for i in 0..<(writes / 3) {
                        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"w\#(w)-\#(i)"}}"#)
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await withThrowingTaskGroup(of: [String].self) { group in
            for reader in readers {
                group.addTask { try await reader.next(writes, timeout: 30).map { $0.1.metaString("resourceVersion") ?? "" } }
            }
            var out: [[String]] = []
            for try await rvs in group { out.append(rvs) }
            return out
        }
        #expect(all.count == 100)
        let reference = all[0]
        #expect(Set(reference).count == writes)
        #expect(reference.map { Int64($0)! } == reference.map { Int64($0)! }.sorted())
        #expect(all.allSatisfy { $0 == reference })
    }

    @Test func timeoutSecondsEndsTheStreamAndStopEndsAll() async throws {
        let env = try await APITestEnv.make()
        let r = await env.call("GET", "/api/v1/namespaces/default/pods", query: [("watch", "true"), ("timeoutSeconds", "1")])
        let reader = try WatchReader(r)
        #expect(try await reader.ended())
        let r2 = await env.call("GET", "/api/v1/pods", query: [("watch", "true")])
        let reader2 = try WatchReader(r2)
        env.server.stop()
        #expect(try await reader2.ended())
    }

    @Test func bookmarksCarryTheResourceVersion() async throws {
        let env = try await APITestEnv.make(config: APIServerConfig(bookmarkIntervalSeconds: 0.2))
        defer { env.server.stop() }
        let (_, list) = try await env.json("GET", "/api/v1/namespaces/default/configmaps")
        let rv = try #require(list["metadata"]?["resourceVersion"]?.stringValue)
        let r = await env.call("GET", "/api/v1/namespaces/default/configmaps",
                               query: [("watch", "true"), ("resourceVersion", rv), ("allowWatchBookmarks", "true")])
        let reader = try WatchReader(r)
        let e = try await reader.next(1)
        #expect(e[0].0 == "BOOKMARK")
        #expect(e[0].1["kind"] == .string("ConfigMap"))
        #expect(e[0].1.metaString("resourceVersion") == rv)
    }

    /// A cache hears only of its own resource's writes, so a resourceVersion from another resource's
    /// write (or a list read at the store) is often ahead of it. Such a watch used to fall through to
    /// the store: a second store watch per client, each event parsed per watcher. The cache now serves
    /// it once the store has reached that revision, skipping its own events up to it.
    @Test func aWatchAheadOfTheCacheIsServedByItOnceTheStoreHasReachedIt() async throws {
        let info = try #require(APIResourceCatalog.resources.first { $0.name == "pods" })
        let cache = WatchCache(strategy: ResourceStrategy(info))
        cache.state.withLock {
            $0.ready = true
            $0.revision = 10
            $0.coveredFrom = 10
        }
        func pod(_ name: String, _ rev: Int64) throws -> MVCCEvent {
            let object = try JSONValue.parse(Array(podJSON(name).utf8))
            let kv = KeyValue(key: Array("/registry/pods/default/\(name)".utf8), value: try ObjectStore.encode(object),
                              createRevision: rev, modRevision: rev, version: 1)
            return MVCCEvent(kind: .put, kv: kv)
        }
        var options = ListOptions()
        options.resourceVersion = "20"
        let request = WatchRequest(strategy: ResourceStrategy(info), namespace: "default", options: options)
        let stream = ResponseStream()
        #expect(cache.subscribe(request, continuation: stream) == .ahead(20))
        // The store is not there yet (a resourceVersion from the future): still not the cache's.
        #expect(cache.subscribe(request, continuation: stream, storeReached: 19) == .ahead(20))
        guard case .subscribed = cache.subscribe(request, continuation: stream, storeReached: 20) else {
            Issue.record("the cache should serve a watch the store has reached")
            return
        }
        // Events up to 20 arrive late through the cache's own watch: not this watcher's.
        cache.apply(WatchResponse(watchID: 1, revision: 15, events: [try pod("old", 15)]))
        cache.apply(WatchResponse(watchID: 1, revision: 21, events: [try pod("new", 21)]))
        stream.finish()
        var lines: [JSONValue] = []
        for await chunk in stream { lines.append(try JSONValue.parse(Array(chunk.dropLast()))) }
        #expect(lines.map { $0["object"]?.metaString("name") ?? "" } == ["new"])
    }
}
