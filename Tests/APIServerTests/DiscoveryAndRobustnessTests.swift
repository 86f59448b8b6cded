@testable import APIServer
import KubeAPI
import Testing

@Suite struct DiscoveryTests {
    @Test func versionAndHealth() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (vc, v) = try await env.json("GET", "/version")
        #expect(vc == 200 && v["major"] == .string("1") && v["minor"] == .string("32"))
        #expect(v["gitVersion"]?.stringValue?.hasPrefix("v1.32.") == true && v["platform"] == .string("linux/amd64"))
        for p in ["/healthz", "/livez", "/readyz"] {
            let r = await env.call("GET", p)
            #expect(r.status == 200)
            if case .bytes(let b) = r.body { #expect(String(decoding: b, as: UTF8.self) == "ok") }
        }
        let verbose = await env.call("GET", "/readyz", query: [("verbose", "")])
        if case .bytes(let b) = verbose.body { #expect(String(decoding: b, as: UTF8.self).hasSuffix("readyz check passed\n")) }
    }

    @Test func groupsAndResources() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (_, api) = try await env.json("GET", "/api")
        #expect(api["kind"] == .string("APIVersions") && api["versions"] == .array([.string("v1")]))
        let (_, apis) = try await env.json("GET", "/apis")
        #expect(apis["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.contains("apps") == true)
        let (_, apps) = try await env.json("GET", "/apis/apps/v1")
        let resources = apps["resources"]?.arrayValue ?? []
        let scale = resources.first { $0["name"] == .string("deployments/scale") }
        #expect(scale?["group"] == .string("autoscaling") && scale?["version"] == .string("v1") && scale?["kind"] == .string("Scale"))
        let deploy = resources.first { $0["name"] == .string("deployments") }
        #expect(deploy?["shortNames"] == .array([.string("deploy")]) && deploy?["singularName"] == .string("deployment"))
        let (_, core) = try await env.json("GET", "/api/v1")
        #expect(core["groupVersion"] == .string("v1"))
        #expect(core["resources"]?.arrayValue?.contains { $0["name"] == .string("pods/status") } == true)
        let (nf, _) = try await env.json("GET", "/apis/nope/v1")
        #expect(nf == 404)
        let (nr, s) = try await env.json("GET", "/api/v1/namespaces/default/widgets")
        #expect(nr == 404 && s["reason"] == .string("NotFound"))
    }
}

@Suite struct RobustnessTests {
    @Test func badBodies() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let path = "/api/v1/namespaces/default/configmaps"
        let (c1, s1) = try await env.json("POST", path, body: "{not json")
        #expect(c1 == 400 && s1["kind"] == .string("Status"))
        let r = await env.server.handle(APIRequest(method: "POST", path: path, headers: [(name: "content-type", value: "application/json")],
                                                   body: [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d], user: .anonymous))
        #expect(r.status == 400)
        let (c3, _) = try await env.json("POST", path, body: "a: b", contentType: "application/yaml")
        #expect(c3 == 415)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let (c4, _) = try await env.json("POST", path, body: deep)
        #expect(c4 == 400)
        let (c5, _) = try await env.json("POST", path, body: "[1,2]")
        #expect(c5 == 400)
        let (c6, s6) = try await env.json("POST", path, body: #"{"kind":"Pod","metadata":{"name":"x"}}"#)
        #expect(c6 == 400 && s6["message"]?.stringValue?.contains("does not match the expected kind") == true)
        let (c7, _) = try await env.json("POST", "/apis/apps/v1/namespaces/default/deployments",
                                         body: #"{"metadata":{"name":"x"},"spec":{"replicas":"three"}}"#)
        #expect(c7 == 400)
        let (c8, _) = try await env.json("POST", path, body: #"{"metadata":{"name":"x","namespace":"other"}}"#)
        #expect(c8 == 400)
        let (c9, _) = try await env.json("PUT", path + "/y", body: #"{"metadata":{"name":"x"}}"#)
        #expect(c9 == 400 || c9 == 404)
    }

    @Test func methodNotAllowed() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (c, _) = try await env.json("DELETE", "/api/v1/namespaces")
        #expect(c == 405)
    }
}
