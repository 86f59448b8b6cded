@testable import APIServer
import KubeAPI
import Testing

@Suite struct TableAndFieldValidationTests {
    static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

    @Test func acceptNegotiation() {
        #expect(TableOutput.wanted(Self.tableAccept))
        #expect(!TableOutput.wanted("application/json"))
        #expect(!TableOutput.wanted(nil))
        #expect(!TableOutput.wanted("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"))
    }

    @Test func podsListAsTable() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        _ = try await env.create("/api/v1/namespaces/default/pods", podJSON("web"))
        let r = await env.call("GET", "/api/v1/namespaces/default/pods", headers: [("accept", Self.tableAccept)])
        #expect(r.status == 200)
        #expect(r.headers.first { $0.name == "content-type" }?.value.contains("as=Table") == true)
        guard case .bytes(let b) = r.body else { Issue.record("no body"); return }
        let t = try JSONValue.parse(b)
        #expect(t["kind"] == .string("Table"))
        let columns = t["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(Array(columns.prefix(5)) == ["Name", "Ready", "Status", "Restarts", "Age"])
        #expect(t["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.first == .string("web"))
        #expect(t["rows"]?.arrayValue?.first?["object"]?["kind"] == .string("PartialObjectMetadata"))
    }

    @Test func strictWarnIgnore() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let body = #"{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c","image":"i","imagee":"typo"}]}}"#
        let (sc, s) = try await env.json("POST", "/api/v1/namespaces/default/pods", query: [("fieldValidation", "Strict")], body: body)
        #expect(sc == 400)
        #expect(s["message"] == .string(#"Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee""#))
        let warn = await env.call("POST", "/api/v1/namespaces/default/pods", query: [("fieldValidation", "Warn")], body: body)
        #expect(warn.status == 201)
        #expect(warn.headers.contains { $0.name == "warning" && $0.value.contains("unknown field") })
        let (bad, _) = try await env.json("POST", "/api/v1/namespaces/default/pods", query: [("fieldValidation", "Loud")], body: body)
        #expect(bad == 400)
    }

    @Test func openAPIDocuments() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let (ic, index) = try await env.json("GET", "/openapi/v3")
        #expect(ic == 200)
        let url = try #require(index["paths"]?["apis/apps/v1"]?["serverRelativeURL"]?.stringValue)
        let path = String(url.split(separator: "?")[0])
        let (dc, doc) = try await env.json("GET", path)
        #expect(dc == 200 && doc["openapi"] == .string("3.0.0"))
        let v2 = await env.call("GET", "/openapi/v2", headers: [("accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")])
        #expect(v2.status == 200 && v2.headers.contains { $0.value.contains("protobuf") })
    }
}
