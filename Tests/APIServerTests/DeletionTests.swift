@testable import APIServer
import KubeAPI
import Testing

@Suite struct DeletionTests {
    @Test func finalizersKeepTheObjectUntilRemoved() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c","finalizers":["example.com/hold"]}}"#)
        let (dc, pending) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/c")
        #expect(dc == 200)
        #expect(pending.metaString("deletionTimestamp") != nil)
        let (gc, still) = try await env.json("GET", "/api/v1/namespaces/default/configmaps/c")
        #expect(gc == 200 && still.metaString("deletionTimestamp") != nil)
        // Removing the last finalizer deletes it.
        let (pc, _) = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/c", body: #"{"metadata":{"finalizers":null}}"#,
                                         contentType: "application/merge-patch+json")
        #expect(pc == 200)
        let (nc, _) = try await env.json("GET", "/api/v1/namespaces/default/configmaps/c")
        #expect(nc == 404)
    }

    @Test func propagationPolicyFinalizers() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"o"}}"#)
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"f"}}"#)
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"b"}}"#)
        let (_, o) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/o", body: #"{"propagationPolicy":"Orphan"}"#)
        #expect(o.meta("finalizers") == .array([.string("orphan")]))
        let (_, f) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/f", query: [("propagationPolicy", "Foreground")])
        #expect(f.meta("finalizers") == .array([.string("foregroundDeletion")]))
        let (bc, b) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/b", body: #"{"propagationPolicy":"Background"}"#)
        #expect(bc == 200 && b["kind"] == .string("Status") && b["status"] == .string("Success"))
        let (bad, _) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/o", body: #"{"propagationPolicy":"Sideways"}"#)
        #expect(bad == 422)
    }

    @Test func preconditions() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let c = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c"}}"#)
        let (code, s) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/c", body: #"{"preconditions":{"uid":"nope"}}"#)
        #expect(code == 409 && s["message"]?.stringValue?.contains("Precondition failed: UID in precondition: nope") == true)
        let uid = try #require(c.metaString("uid"))
        let (ok, _) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps/c", body: #"{"preconditions":{"uid":"\#(uid)"}}"#)
        #expect(ok == 200)
    }

    @Test func gracefulPodDeletionOnANode() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("p", extra: #","nodeName":"n1""#))
        let (dc, d) = try await env.json("DELETE", "/api/v1/namespaces/default/pods/p")
        #expect(dc == 200)
        #expect(d.meta("deletionGracePeriodSeconds") == .integer(30))
        #expect(d.metaString("deletionTimestamp") != nil)
        let (gc, _) = try await env.json("GET", "/api/v1/namespaces/default/pods/p")
        #expect(gc == 200)
        // The agent confirms with grace 0.
        let (fc, _) = try await env.json("DELETE", "/api/v1/namespaces/default/pods/p", query: [("gracePeriodSeconds", "0")])
        #expect(fc == 200)
        let (nc, _) = try await env.json("GET", "/api/v1/namespaces/default/pods/p")
        #expect(nc == 404)
        // An unscheduled pod goes at once.
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("q"))
        _ = try await env.json("DELETE", "/api/v1/namespaces/default/pods/q")
        let (qc, _) = try await env.json("GET", "/api/v1/namespaces/default/pods/q")
        #expect(qc == 404)
    }

    @Test func namespaceDeletionRemovesContentThenTheNamespace() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces", #"{"metadata":{"name":"tmp"}}"#)
        _ = try await env.create("/api/v1/namespaces/tmp/configmaps", #"{"metadata":{"name":"c"}}"#)
        _ = try await env.create("/api/v1/namespaces/tmp/pods", podJSON("p"))
        let (dc, ns) = try await env.json("DELETE", "/api/v1/namespaces/tmp")
        #expect(dc == 200 && ns["status"]?["phase"] == .string("Terminating"))
        let (cc, s) = try await env.json("POST", "/api/v1/namespaces/tmp/configmaps", body: #"{"metadata":{"name":"late"}}"#)
        #expect(cc == 403 || cc == 404)
        if cc == 403 { #expect(s["message"]?.stringValue?.contains("because it is being terminated") == true) }
        var gone = false
        for _ in 0..<50 {
            let (gc, _) = try await env.json("GET", "/api/v1/namespaces/tmp")
            if gc == 404 { gone = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(gone)
        let (_, left) = try await env.json("GET", "/api/v1/namespaces/tmp/configmaps")
        #expect(left["items"]?.arrayValue?.isEmpty == true)
    }

    @Test func deleteCollection() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        for i in 0..<4 {
            _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c\#(i)","labels":{"k":"\#(i % 2)"}}}"#)
        }
        let (code, _) = try await env.json("DELETE", "/api/v1/namespaces/default/configmaps", query: [("labelSelector", "k=0")])
        #expect(code == 200)
        let (_, left) = try await env.json("GET", "/api/v1/namespaces/default/configmaps")
        #expect(left["items"]!.arrayValue!.compactMap { $0.metaString("name") } == ["c1", "c3"])
    }
}
