import Foundation
import KubeAPI
import KubeClient
import NIOCore
import Testing

/// The client against a real HTTPS server on loopback: client-certificate and token auth, keep-alive
/// reuse, timeouts, chunked watch streams, Status errors, and the paths and queries it sends.
@Suite struct TransportTests {
    let pki = TestPKI.shared

    func config(_ server: TestHTTPSServer, cert: Bool = true, timeout: Duration = .seconds(5)) throws -> KubeClientConfig {
        var c = try KubeClientConfig(server: server.url, certificateAuthorityPEM: pki.caPEM,
                                     clientCertificatePEM: cert ? pki.clientCertPEM : nil,
                                     clientKeyPEM: cert ? pki.clientKeyPEM : nil)
        c.requestTimeout = timeout
        return c
    }

    static let podJSON = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","resourceVersion":"7"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"#

    static func status(_ code: Int, _ reason: String, _ message: String) -> TestResponse {
        .json(code, #"{"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#)
    }

    @Test func getWithClientCertificate() async throws {
        let server = try await TestHTTPSServer { req in
            req.path == "/api/v1/namespaces/default/pods/web" ? .json(200, Self.podJSON) : Self.status(404, "NotFound", "no")
        }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        let pod = try await client.get(Pod.self, name: "web", namespace: "default")
        #expect(pod.metadata.name == "web")
        #expect(pod.metadata.resourceVersion == "7")
        let req = try #require(server.requests.first)
        #expect(req.method == "GET")
        #expect(req.headers["accept"] == "application/json")
        #expect(req.headers["host"] == "127.0.0.1:\(server.port)")
    }

    @Test func refusedWithoutOrWithAForeignClientCertificate() async throws {
        let server = try await TestHTTPSServer { _ in .json(200, Self.podJSON) }
        defer { Task { await server.shutdown() } }
        let anonymous = try KubeAPIClient(config: config(server, cert: false))
        await #expect(throws: KubeClientError.self) { try await anonymous.get(Pod.self, name: "web", namespace: "default") }
        let stranger = try KubeAPIClient(config: KubeClientConfig(
            server: server.url, certificateAuthorityPEM: pki.caPEM,
            clientCertificatePEM: pki.strangerCertPEM, clientKeyPEM: pki.strangerKeyPEM))
        await #expect(throws: KubeClientError.self) { try await stranger.get(Pod.self, name: "web", namespace: "default") }
        #expect(server.requests.isEmpty)
    }

    @Test func serverCertificateMustChainToTheGivenCA() async throws {
        let server = try await TestHTTPSServer { _ in .json(200, Self.podJSON) }
        defer { Task { await server.shutdown() } }
        // The client trusts only the other CA: the server's certificate is refused.
        var c = try config(server)
        c.certificateAuthorityPEM = Array(pki.strangerCertPEM.utf8)
        let client = try KubeAPIClient(config: c)
        await #expect(throws: KubeClientError.self) { try await client.get(Pod.self, name: "web", namespace: "default") }
        // insecure-skip-tls-verify accepts it.
        c.insecureSkipTLSVerify = true
        let insecure = try KubeAPIClient(config: c)
        #expect(try await insecure.get(Pod.self, name: "web", namespace: "default").metadata.name == "web")
    }

    @Test func bearerToken() async throws {
        let server = try await TestHTTPSServer(requireClientCertificate: false) { req in
            req.headers["authorization"] == "Bearer s3cret" ? .json(200, Self.podJSON) : Self.status(401, "Unauthorized", "Unauthorized")
        }
        defer { Task { await server.shutdown() } }
        let good = try KubeAPIClient(config: KubeClientConfig(server: server.url, certificateAuthorityPEM: pki.caPEM, token: "s3cret"))
        #expect(try await good.get(Pod.self, name: "web", namespace: "default").metadata.name == "web")
        let bad = try KubeAPIClient(config: KubeClientConfig(server: server.url, certificateAuthorityPEM: pki.caPEM, token: "nope"))
        do {
            _ = try await bad.get(Pod.self, name: "web", namespace: "default")
            Issue.record("a wrong token was accepted")
        } catch {
            #expect(error.code == 401)
            #expect(error.reason == "Unauthorized")
        }
    }

    @Test func keepAliveReusesOneConnection() async throws {
        let server = try await TestHTTPSServer { _ in .json(200, Self.podJSON) }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        for _ in 0..<10 { _ = try await client.get(Pod.self, name: "web", namespace: "default") }
        #expect(server.connectionsAccepted == 1)
        #expect(client.transport.connectionsOpened == 1)
        // Concurrent requests need more connections; afterwards idle ones are reused.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { _ = try await client.get(Pod.self, name: "web", namespace: "default") } }
            try await group.waitForAll()
        }
        let opened = client.transport.connectionsOpened
        #expect(opened <= 4)
        for _ in 0..<5 { _ = try await client.get(Pod.self, name: "web", namespace: "default") }
        #expect(client.transport.connectionsOpened == opened)
    }

    @Test func serverClosingAnIdleConnectionIsRetriedOnAFreshOne() async throws {
        let server = try await TestHTTPSServer { _ in .json(200, Self.podJSON) }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        _ = try await client.get(Pod.self, name: "web", namespace: "default")
        await server.closeConnections()
        try await Task.sleep(for: .milliseconds(50))
        _ = try await client.get(Pod.self, name: "web", namespace: "default")
        #expect(client.transport.connectionsOpened == 2)
    }

    @Test func requestTimeout() async throws {
        let server = try await TestHTTPSServer { req in req.path.hasSuffix("/slow") ? .hang : .json(200, Self.podJSON) }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server, timeout: .milliseconds(300)))
        let start = ContinuousClock.now
        do {
            _ = try await client.get(Pod.self, name: "slow", namespace: "default")
            Issue.record("no timeout")
        } catch {
            #expect(error.isTimeout)
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(3))
        // The client recovers on a fresh connection.
        #expect(try await client.get(Pod.self, name: "web", namespace: "default").metadata.name == "web")
    }

    @Test func watchEventsSplitAcrossChunks() async throws {
        let added = #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"default","resourceVersion":"11"}}}"#
        let modified = #"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"default","resourceVersion":"12","labels":{"x":"}{\""}}}}"#
        let bookmark = #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"15"}}}"#
        let deleted = #"{"type":"DELETED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"default","resourceVersion":"16"}}}"#
        let all = added + "\n" + modified + "\n" + bookmark + "\n" + deleted + "\n"
        // Cut the stream at awkward places: inside a string with braces, between events, mid-number.
        let cuts = [5, 40, added.count + 1, added.count + 60, added.count + 98, all.count - 3]
        var pieces: [String] = []
        var last = all.startIndex
        for c in cuts {
            let i = all.index(all.startIndex, offsetBy: c)
            pieces.append(String(all[last..<i]))
            last = i
        }
        pieces.append(String(all[last...]))
        let chunks = pieces
        let server = try await TestHTTPSServer { _ in .chunks(chunks, interval: .milliseconds(5)) }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        var events: [WatchChange<Pod>] = []
        for try await e in try await client.watch(Pod.self, namespace: "default",
                                                   options: WatchOptions(resourceVersion: "10", timeoutSeconds: 30)) {
            events.append(e)
        }
        #expect(events.count == 4)
        guard events.count == 4 else { return }
        #expect(events[0].object?.metadata.name == "a")
        if case .added = events[0] {} else { Issue.record("first is not ADDED: \(events[0])") }
        #expect(events[1].object?.metadata.labels?["x"] == "}{\"")
        #expect(events[2] == .bookmark(resourceVersion: "15"))
        if case .deleted(let p) = events[3] { #expect(p.metadata.resourceVersion == "16") } else { Issue.record("last is not DELETED") }
        let q = try #require(server.requests.first).query
        #expect(q["watch"] == "true")
        #expect(q["resourceVersion"] == "10")
        #expect(q["allowWatchBookmarks"] == "true")
        #expect(q["timeoutSeconds"] == "30")
    }

    @Test func watchErrorEventEndsTheStreamWithGone() async throws {
        let gone = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (20)","reason":"Expired","code":410}}"#
        let server = try await TestHTTPSServer { _ in .chunks([gone + "\n"], interval: .milliseconds(1)) }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        do {
            for try await _ in try await client.watch(Pod.self, options: WatchOptions(resourceVersion: "1")) {}
            Issue.record("the stream did not throw")
        } catch let error as KubeClientError {
            #expect(error.isGone)
        }
        #expect(try #require(server.requests.first).path == "/api/v1/pods")
    }

    @Test func watchStreamsUntilCancelled() async throws {
        let (feed, feeder) = AsyncStream<String>.makeStream()
        let server = try await TestHTTPSServer { _ in .stream(feed) }
        defer {
            feeder.finish()
            Task { await server.shutdown() }
        }
        let client = try KubeAPIClient(config: config(server))
        let events = try await client.watch(Pod.self, namespace: "default")
        var it = events.makeAsyncIterator()
        feeder.yield(#"{"type":"ADDED","object":{"metadata":{"name":"p1","namespace":"default","resourceVersion":"3"}}}"#)
        let first = try await it.next()
        #expect(first?.object?.metadata.name == "p1")
        feeder.yield(#"{"type":"ADDED","object":{"metadata":{"name":"p2","namespace":"default","resourceVersion":"4"}}}"#)
        let second = try await it.next()
        #expect(second?.resourceVersion == "4")
    }

    @Test func abandoningAWatchClosesItsConnection() async throws {
        let (feed, feeder) = AsyncStream<String>.makeStream()
        let server = try await TestHTTPSServer { _ in .stream(feed) }
        defer {
            feeder.finish()
            Task { await server.shutdown() }
        }
        let client = try KubeAPIClient(config: config(server))
        let consumer = Task {
            for try await e in try await client.watch(Pod.self, namespace: "default") {
                if e.object?.metadata.name == "p1" { return true }
            }
            return false
        }
        feeder.yield(#"{"type":"ADDED","object":{"metadata":{"name":"p1","namespace":"default","resourceVersion":"3"}}}"#)
        #expect(try await consumer.value)
        // Closed (after the client's 1 s TLS shutdown wait; longer under load), not left open for as
        // long as the server keeps the stream going.
        #expect(await eventually(.seconds(10)) { server.connectionsAccepted == 1 && server.connectionsOpen == 0 })
    }

    @Test func statusErrorsAreTyped() async throws {
        let server = try await TestHTTPSServer { req in
            switch (req.method, req.path) {
            case ("GET", _): Self.status(404, "NotFound", #"pods \"x\" not found"#)
            case ("PUT", _): Self.status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again")
            case ("POST", _): Self.status(409, "AlreadyExists", #"pods \"web\" already exists"#)
            default: .json(500, "not json")
            }
        }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        do {
            _ = try await client.get(Pod.self, name: "x", namespace: "default")
        } catch {
            #expect(error.isNotFound)
            #expect(error.code == 404)
        }
        var pod = Pod(metadata: ObjectMeta(name: "web", namespace: "default"))
        pod.metadata.resourceVersion = "3"
        do {
            _ = try await client.update(pod)
        } catch {
            guard case .conflict = error else { Issue.record("not .conflict: \(error)"); return }
            #expect(error.isConflict)
        }
        do {
            _ = try await client.create(pod)
        } catch {
            #expect(error.isAlreadyExists)
            #expect(!error.isConflict)
        }
        do {
            try await client.delete(Pod.self, name: "web", namespace: "default")
        } catch {
            #expect(error.code == 500)
            #expect(error.reason == "InternalError")
        }
    }

    @Test func namespacedCreateNeedsANamespace() async throws {
        let server = try await TestHTTPSServer { _ in .json(200, Self.podJSON) }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        await #expect(throws: KubeClientError.self) { try await client.create(Pod(metadata: ObjectMeta(name: "x"))) }
        #expect(server.requests.isEmpty)
    }

    @Test func listPagesAndSelectors() async throws {
        let server = try await TestHTTPSServer { req in
            let page2 = req.query["continue"] == "tok/1"
            let items = page2 ? #"[{"metadata":{"name":"c","namespace":"ns"}}]"#
                : #"[{"metadata":{"name":"a","namespace":"ns"}},{"metadata":{"name":"b","namespace":"ns"}}]"#
            let meta = page2 ? #"{"resourceVersion":"99"}"# : #"{"resourceVersion":"42","continue":"tok/1"}"#
            return .json(200, #"{"apiVersion":"v1","kind":"PodList","metadata":\#(meta),"items":\#(items)}"#)
        }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        let list = try await client.listAll(Pod.self, namespace: "ns",
                                            options: ListOptions(labelSelector: "app in (web,db),tier!=x", fieldSelector: "spec.nodeName=n1", limit: 2))
        #expect(list.items.map { $0.metadata.name } == ["a", "b", "c"])
        #expect(list.metadata.resourceVersion == "42")
        let reqs = server.requests
        #expect(reqs.count == 2)
        #expect(reqs[0].path == "/api/v1/namespaces/ns/pods")
        #expect(reqs[0].query["labelSelector"] == "app in (web,db),tier!=x")
        #expect(reqs[0].query["fieldSelector"] == "spec.nodeName=n1")
        #expect(reqs[0].query["limit"] == "2")
        #expect(reqs[1].query["continue"] == "tok/1")
    }

    @Test func writesSendTheRightMethodsPathsAndBodies() async throws {
        let server = try await TestHTTPSServer { req in
            if req.path.hasSuffix("/scale") {
                return .json(200, #"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":3},"status":{"replicas":1,"selector":"app=d"}}"#)
            }
            if req.path.hasPrefix("/apis/apps/v1") {
                return .json(200, #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"ns"}}"#)
            }
            if req.method == "DELETE" || req.path.hasSuffix("/binding") {
                return .json(200, #"{"kind":"Status","apiVersion":"v1","status":"Success"}"#)
            }
            return .json(200, Self.podJSON)
        }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: config(server))
        let pod = Pod(metadata: ObjectMeta(name: "web", namespace: "default"))
        _ = try await client.create(pod)
        _ = try await client.updateStatus(pod)
        _ = try await client.patch(Pod.self, name: "web", namespace: "default", patchType: .strategicMerge,
                                   body: Array(#"{"metadata":{"labels":{"a":"b"}}}"#.utf8))
        try await client.delete(Pod.self, name: "web", namespace: "default",
                                options: DeleteOptions(gracePeriodSeconds: 0, preconditions: Preconditions(uid: "u1"),
                                                       propagationPolicy: .foreground))
        try await client.bind(Binding(pod: pod.metadata, nodeName: "node-1"))
        var scale = try await client.getScale(Deployment.self, name: "d", namespace: "ns")
        #expect(scale.status?.selector == "app=d")
        scale.spec?.replicas = 5
        _ = try await client.updateScale(Deployment.self, scale)
        _ = try await client.patch(Deployment.self, name: "d", namespace: "ns", patchType: .merge, body: Array("{}".utf8),
                                   subresource: "status")

        let r = server.requests
        #expect(r.map { "\($0.method) \($0.path)" } == [
            "POST /api/v1/namespaces/default/pods",
            "PUT /api/v1/namespaces/default/pods/web/status",
            "PATCH /api/v1/namespaces/default/pods/web",
            "DELETE /api/v1/namespaces/default/pods/web",
            "POST /api/v1/namespaces/default/pods/web/binding",
            "GET /apis/apps/v1/namespaces/ns/deployments/d/scale",
            "PUT /apis/apps/v1/namespaces/ns/deployments/d/scale",
            "PATCH /apis/apps/v1/namespaces/ns/deployments/d/status",
        ])
        guard r.count == 8 else { return }
        let created = try JSONSerialization.jsonObject(with: Data(r[0].body)) as? [String: Any]
        #expect(created?["kind"] as? String == "Pod")
        #expect(created?["apiVersion"] as? String == "v1")
        #expect(r[2].headers["content-type"] == "application/strategic-merge-patch+json")
        let del = try JSONSerialization.jsonObject(with: Data(r[3].body)) as? [String: Any]
        #expect(del?["propagationPolicy"] as? String == "Foreground")
        #expect(del?["gracePeriodSeconds"] as? Int == 0)
        #expect((del?["preconditions"] as? [String: Any])?["uid"] as? String == "u1")
        let binding = try JSONSerialization.jsonObject(with: Data(r[4].body)) as? [String: Any]
        #expect(binding?["kind"] as? String == "Binding")
        #expect((binding?["target"] as? [String: Any])?["name"] as? String == "node-1")
        let scaleBody = try JSONSerialization.jsonObject(with: Data(r[6].body)) as? [String: Any]
        #expect((scaleBody?["spec"] as? [String: Any])?["replicas"] as? Int == 5)
        #expect(r[7].headers["content-type"] == "application/merge-patch+json")
    }
}
