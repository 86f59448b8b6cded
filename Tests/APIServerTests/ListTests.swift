@testable import APIServer
import KubeAPI
import Testing

@Suite struct ListTests {
    @Test func paginationReadsOneSnapshotAcrossWrites() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        for i in 0..<7 { _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c\#(i)"}}"#) }
        let (_, p1) = try await env.json("GET", "/api/v1/namespaces/default/configmaps", query: [("limit", "3")])
        #expect(p1["items"]?.arrayValue?.count == 3)
        #expect(p1["metadata"]?["remainingItemCount"] == .integer(4))
        let token = try #require(p1["metadata"]?["continue"]?.stringValue)
        let rv = p1["metadata"]?["resourceVersion"]
        // Writes between pages do not show up in later pages.
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c9"}}"#)
        _ = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/c5")
        var names = p1["items"]!.arrayValue!.compactMap { $0.metaString("name") }
        var next: String? = token
        while let t = next {
            let (code, page) = try await env.json("GET", "/api/v1/namespaces/default/configmaps", query: [("limit", "3"), ("continue", t)])
            #expect(code == 200)
            #expect(page["metadata"]?["resourceVersion"] == rv)
            names += page["items"]!.arrayValue!.compactMap { $0.metaString("name") }
            next = page["metadata"]?["continue"]?.stringValue
        }
        #expect(names == (0..<7).map { "c\($0)" })
    }

    @Test func expiredContinueIs410() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        for i in 0..<4 { _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c\#(i)"}}"#) }
        let (_, p1) = try await env.json("GET", "/api/v1/namespaces/default/configmaps", query: [("limit", "2")])
        let token = try #require(p1["metadata"]?["continue"]?.stringValue)
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"z"}}"#)
        _ = try await env.store.compact(revision: await env.store.currentRevision)
        let (code, s) = try await env.json("GET", "/api/v1/namespaces/default/configmaps", query: [("limit", "2"), ("continue", token)])
        #expect(code == 410 && s["reason"] == .string("Expired"))
    }

    @Test func selectorsAndAllNamespaces() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces", #"{"metadata":{"name":"team"}}"#)
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("a", labels: ["app": "web"]))
        _ = try await env.create("/api/v1/namespaces/team/pods", podJSON("b", labels: ["app": "web"]))
        _ = try await env.create("/api/v1/namespaces/team/pods", podJSON("c", labels: ["app": "db"]))
        let (_, all) = try await env.json("GET", "/api/v1/pods", query: [("labelSelector", "app=web")])
        #expect(Set(all["items"]!.arrayValue!.compactMap { $0.metaString("name") }) == ["a", "b"])
        #expect(all["kind"] == .string("PodList") && all["apiVersion"] == .string("v1"))
        let (_, f) = try await env.json("GET", "/api/v1/pods", query: [("fieldSelector", "metadata.namespace=team,metadata.name!=b")])
        #expect(f["items"]!.arrayValue!.compactMap { $0.metaString("name") } == ["c"])
        let (_, unscheduled) = try await env.json("GET", "/api/v1/pods", query: [("fieldSelector", "spec.nodeName=")])
        #expect(unscheduled["items"]?.arrayValue?.count == 3)
        let (bad, s) = try await env.json("GET", "/api/v1/pods", query: [("fieldSelector", "spec.bogus=1")])
        #expect(bad == 400 && s["message"] == .string("field label not supported: spec.bogus"))
        // Paging with a selector still fills pages.
        let (_, page) = try await env.json("GET", "/api/v1/pods", query: [("labelSelector", "app=web"), ("limit", "1")])
        #expect(page["items"]?.arrayValue?.count == 1 && page["metadata"]?["continue"] != nil)
    }

    @Test func absurdQueryParametersAre400() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        for q in [("limit", "-1"), ("limit", "abc"), ("timeoutSeconds", "abc"), ("resourceVersion", "xyz"),
                  ("labelSelector", "a=(b"), ("continue", "not-a-token"), ("watch", "maybe"), ("resourceVersionMatch", "Exact")] {
            let (code, s) = try await env.json("GET", "/api/v1/namespaces/default/pods", query: [q])
            #expect(code == 400, "\(q)")
            #expect(s["kind"] == .string("Status"))
        }
    }
}
