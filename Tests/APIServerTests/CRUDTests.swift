@testable import APIServer
import KubeAPI
import Testing

@Suite struct CRUDTests {
    @Test func bootstrapCreatesNamespacesKubernetesServiceAndServiceAccounts() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (code, list) = try await env.json("GET", "/api/v1/namespaces")
        #expect(code == 200)
        let names = list["items"]?.arrayValue?.compactMap { $0.metaString("name") } ?? []
        #expect(Set(names) == ["default", "kube-system", "kube-public", "kube-node-lease"])
        let (_, svc) = try await env.json("GET", "/api/v1/namespaces/default/services/kubernetes")
        #expect(svc["spec"]?["clusterIP"] == .string("10.96.0.1"))
        let (saCode, _) = try await env.json("GET", "/api/v1/namespaces/kube-system/serviceaccounts/default")
        #expect(saCode == 200)
        // Starting again over the same store changes nothing.
        try await env.server.start()
    }

    @Test func createGetUpdateDeletePod() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let created = try await env.create("/api/v1/namespaces/default/pods", podJSON("web"))
        #expect(created.metaString("namespace") == "default")
        #expect(created.metaString("uid")?.count == 36)
        #expect(created.metaString("creationTimestamp") != nil)
        let rv = try #require(created.metaString("resourceVersion"))
        #expect(created["status"]?["phase"] == .string("Pending"))
        #expect(created["spec"]?["restartPolicy"] == .string("Always"))

        let (gc, got) = try await env.json("GET", "/api/v1/namespaces/default/pods/web")
        #expect(gc == 200 && got.metaString("resourceVersion") == rv && got.metaString("uid") == created.metaString("uid"))

        // Update with the current resourceVersion succeeds; a stale one is a 409 Conflict.
        var updated = got
        updated.setMetaForTest("labels", .object(["tier": .string("front")]))
        let (uc, after) = try await env.json("PUT", "/api/v1/namespaces/default/pods/web", body: String(decoding: try updated.serialized(), as: UTF8.self))
        #expect(uc == 200)
        #expect(after.metaString("resourceVersion") != rv)
        let (cc, conflict) = try await env.json("PUT", "/api/v1/namespaces/default/pods/web", body: String(decoding: try updated.serialized(), as: UTF8.self))
        #expect(cc == 409)
        #expect(conflict["reason"] == .string("Conflict"))
        #expect(conflict["message"] == .string("Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again"))

        let (dc, deleted) = try await env.json("DELETE", "/api/v1/namespaces/default/pods/web")
        #expect(dc == 200 && deleted.metaString("name") == "web")
        let (nc, nf) = try await env.json("GET", "/api/v1/namespaces/default/pods/web")
        #expect(nc == 404)
        #expect(nf["message"] == .string("pods \"web\" not found"))
        #expect(nf["details"]?["kind"] == .string("pods"))
    }

    @Test func alreadyExistsAndMissingNamespace() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c"},"data":{"a":"1"}}"#)
        let (code, s) = try await env.json("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"c"}}"#)
        #expect(code == 409 && s["reason"] == .string("AlreadyExists"))
        #expect(s["message"] == .string("configmaps \"c\" already exists"))
        let (nc, ns) = try await env.json("POST", "/api/v1/namespaces/nope/configmaps", body: #"{"metadata":{"name":"c"}}"#)
        #expect(nc == 404 && ns["message"] == .string("namespaces \"nope\" not found"))
    }

    @Test func generateName() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let a = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"generateName":"cfg-"}}"#)
        let name = try #require(a.metaString("name"))
        #expect(name.hasPrefix("cfg-") && name.count == 9)
        #expect(name.dropFirst(4).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test func invalidPodIs422WithCauses() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (code, s) = try await env.json("POST", "/api/v1/namespaces/default/pods",
                                           body: #"{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c"}]}}"#)
        #expect(code == 422)
        #expect(s["reason"] == .string("Invalid"))
        #expect(s["message"] == .string("Pod \"x\" is invalid: spec.containers[0].image: Required value"))
        #expect(s["details"]?["name"] == .string("x") && s["details"]?["kind"] == .string("Pod"))
        #expect(s["details"]?["causes"]?.arrayValue?.first?["field"] == .string("spec.containers[0].image"))
    }

    @Test func statusSubresourceSplit() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let dep = #"{"metadata":{"name":"web"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}"#
        let created = try await env.create("/apis/apps/v1/namespaces/default/deployments", dep)
        #expect(created.meta("generation") == .integer(1))
        // Status through the main resource is ignored; spec change bumps generation.
        let (pc, patched) = try await env.json("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                                               body: #"{"spec":{"replicas":3},"status":{"replicas":7}}"#,
                                               contentType: "application/merge-patch+json")
        #expect(pc == 200)
        #expect(patched["spec"]?["replicas"] == .integer(3))
        #expect(patched["status"]?["replicas"] == nil)
        #expect(patched.meta("generation") == .integer(2))
        // /status changes only status.
        let (sc, st) = try await env.json("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/status",
                                          body: #"{"spec":{"replicas":9},"status":{"replicas":3}}"#,
                                          contentType: "application/merge-patch+json")
        #expect(sc == 200)
        #expect(st["status"]?["replicas"] == .integer(3))
        #expect(st["spec"]?["replicas"] == .integer(3))
        #expect(st.meta("generation") == .integer(2))
    }

    @Test func scaleSubresource() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let dep = #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}"#
        _ = try await env.create("/apis/apps/v1/namespaces/default/deployments", dep)
        let (gc, scale) = try await env.json("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale")
        #expect(gc == 200 && scale["kind"] == .string("Scale") && scale["apiVersion"] == .string("autoscaling/v1"))
        #expect(scale["spec"]?["replicas"] == .integer(1))
        #expect(scale["status"]?["selector"] == .string("app=web"))
        let (pc, s2) = try await env.json("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                                          body: #"{"spec":{"replicas":5}}"#, contentType: "application/merge-patch+json")
        #expect(pc == 200 && s2["spec"]?["replicas"] == .integer(5))
        let (_, d) = try await env.json("GET", "/apis/apps/v1/namespaces/default/deployments/web")
        #expect(d["spec"]?["replicas"] == .integer(5))
        #expect(d.meta("generation") == .integer(2))
    }

    @Test func bindingSetsNodeNameOnce() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("p"))
        let binding = #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"kind":"Node","name":"n1"}}"#
        let (c1, _) = try await env.json("POST", "/api/v1/namespaces/default/pods/p/binding", body: binding)
        #expect(c1 == 201)
        let (_, pod) = try await env.json("GET", "/api/v1/namespaces/default/pods/p")
        #expect(pod["spec"]?["nodeName"] == .string("n1"))
        let (c2, s) = try await env.json("POST", "/api/v1/namespaces/default/pods/p/binding", body: binding)
        #expect(c2 == 409)
        #expect(s["message"]?.stringValue?.contains("already assigned to node \"n1\"") == true)
    }

    @Test func patchTypes() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c","labels":{"a":"1"}},"data":{"k":"v"}}"#)
        let (jc, j) = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/c",
                                         body: #"[{"op":"add","path":"/data/k2","value":"v2"},{"op":"remove","path":"/metadata/labels/a"}]"#,
                                         contentType: "application/json-patch+json")
        #expect(jc == 200 && j["data"]?["k2"] == .string("v2") && j.meta("labels")?["a"] == nil)
        let (sc, s) = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/c",
                                         body: #"{"data":{"k":null}}"#, contentType: "application/strategic-merge-patch+json")
        #expect(sc == 200 && s["data"]?["k"] == nil && s["data"]?["k2"] == .string("v2"))
        let (ac, _) = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/c", body: "{}",
                                         contentType: "application/apply-patch+yaml")
        #expect(ac == 415)
        let (tc, _) = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/c", body: "{}", contentType: "text/plain")
        #expect(tc == 415)
        let (nf, _) = try await env.json("PATCH", "/api/v1/namespaces/default/configmaps/zz", body: "{}",
                                         contentType: "application/merge-patch+json")
        #expect(nf == 404)
    }

    @Test func strategicMergeOfContainersByName() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/pods",
                                 #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y:1"}]}}"#)
        let (code, p) = try await env.json("PATCH", "/api/v1/namespaces/default/pods/p",
                                           body: #"{"spec":{"containers":[{"name":"b","image":"y:2"}]}}"#,
                                           contentType: "application/strategic-merge-patch+json")
        #expect(code == 200)
        let images = p["spec"]?["containers"]?.arrayValue?.compactMap { $0["image"]?.stringValue }
        #expect(images == ["x:1", "y:2"])
    }
}

extension JSONValue {
    mutating func setMetaForTest(_ key: String, _ value: JSONValue) {
        var m = self["metadata"] ?? .object([:])
        m[key] = value
        self["metadata"] = m
    }
}
