import Foundation
import Testing
@testable import KubeAPI

/// The v2 document, and its protobuf read back with a wire-format reader along the field numbers of
/// gnostic's OpenAPIv2.proto (the path kubectl's QueryParamVerifier and `proto.NewOpenAPIData` take).
@Suite struct OpenAPIV2Tests {
    static let doc = ProtobufMessage(OpenAPIV2.protobufBytes)

    /// NamedX entries of a map message: name (1) → value (2).
    static func named(_ m: ProtobufMessage?, _ field: Int) -> [String: ProtobufMessage] {
        var out: [String: ProtobufMessage] = [:]
        for entry in m?.messages(field) ?? [] {
            if let name = entry.string(1), let value = entry.message(2) { out[name] = value }
        }
        return out
    }

    @Test func jsonDocument() throws {
        let json = try KJSON.parse(OpenAPIV2.jsonBytes)
        #expect(json["swagger"] == .string("2.0"))
        let definitions = json["definitions"]?.objectValue ?? [:]
        #expect(definitions["io.k8s.api.apps.v1.Deployment"]?["x-kubernetes-group-version-kind"]?.arrayValue?.first?["kind"] == .string("Deployment"))
        let patch = json["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"]
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == .string("fieldValidation") } == true)
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["in"] == .string("body") } == true)
        for r in OpenAPIV3Tests.refs(json) {
            #expect(r.hasPrefix("#/definitions/") && definitions[String(r.dropFirst(14))] != nil, "\(r)")
        }
    }

    @Test func protobufDocumentMatchesJSON() throws {
        let doc = try #require(Self.doc)
        #expect(doc.string(1) == "2.0")
        #expect(doc.message(2)?.string(1) == "Kubernetes")
        let json = OpenAPIV2.document
        let definitions = Self.named(doc.message(9), 1)
        #expect(Set(definitions.keys) == Set(json["definitions"]?.objectValue?.keys.map { $0 } ?? []))
        let paths = Self.named(doc.message(8), 2)
        #expect(Set(paths.keys) == Set(json["paths"]?.objectValue?.keys.map { $0 } ?? []))

        // Schema: type (22), properties (25), $ref (1), items (23), vendor extensions (31) as YAML text.
        let podSpec = try #require(definitions["io.k8s.api.core.v1.PodSpec"])
        #expect(podSpec.message(22)?.strings(1) == ["object"])
        #expect(podSpec.strings(19) == ["containers"])
        let properties = Self.named(podSpec.message(25), 1)
        #expect(properties.count == APISchema.definitions["io.k8s.api.core.v1.PodSpec"]?.fields.count)
        let containers = try #require(properties["containers"])
        #expect(containers.message(22)?.strings(1) == ["array"])
        #expect(containers.message(23)?.message(1)?.string(1) == "#/definitions/io.k8s.api.core.v1.Container")
        let extensions = Self.named(containers, 31)
        #expect(extensions["x-kubernetes-patch-merge-key"]?.string(2) == #""name""#)
        #expect(extensions["x-kubernetes-patch-strategy"]?.string(2) == #""merge""#)
        let pod = try #require(definitions["io.k8s.api.core.v1.Pod"])
        #expect(Self.named(pod, 31)["x-kubernetes-group-version-kind"]?.string(2)
            == #"[{"group":"","kind":"Pod","version":"v1"}]"#)
        let labels = try #require(Self.named(definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?.message(25), 1)["labels"])
        #expect(labels.message(21)?.message(1)?.message(22)?.strings(1) == ["string"])

        // The PATCH operation (PathItem field 8) with its GVK and a fieldValidation query parameter:
        // ParametersItem.parameter(1).non_body_parameter(2).query_parameter_sub_schema(3).name(4).
        let item = try #require(paths["/api/v1/namespaces/{namespace}/pods/{name}"])
        let patch = try #require(item.message(8))
        #expect(patch.string(5) == "patchCoreV1NamespacedPod")
        #expect(Self.named(patch, 13)["x-kubernetes-group-version-kind"]?.string(2) == #"{"group":"","kind":"Pod","version":"v1"}"#)
        let queryNames = patch.messages(8).compactMap { $0.message(1)?.message(2)?.message(3)?.string(4) }
        #expect(queryNames.contains("fieldValidation"))
        let pathNames = patch.messages(8).compactMap { $0.message(1)?.message(2)?.message(4)?.string(4) }
        #expect(Set(pathNames) == ["name", "namespace"])
        let body = patch.messages(8).compactMap { $0.message(1)?.message(1) }.first
        #expect(body?.string(3) == "body")
        #expect(body?.message(5)?.string(1) == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch")
        // Responses: response_code(1) NamedResponseValue → ResponseValue.response(1).schema(2).schema(1).$ref(1).
        let ok = Self.named(patch.message(9), 1)["200"]
        #expect(ok?.message(1)?.message(2)?.message(1)?.string(1) == "#/definitions/io.k8s.api.core.v1.Pod")
        #expect(item.message(2)?.string(5) == "readCoreV1NamespacedPod")
        #expect(item.message(3)?.string(5) == "replaceCoreV1NamespacedPod")
        #expect(item.message(5)?.string(5) == "deleteCoreV1NamespacedPod")
    }

    @Test func wireFormatRoundTrip() {
        var w = ProtobufWriter()
        w.string(1, "a")
        w.string(2, "")
        w.bool(3, true)
        w.bool(4, false)
        let small = ProtobufMessage(w.bytes)
        #expect(small?.string(1) == "a")
        #expect(small?.all(2).isEmpty == true)  // proto3 skips zero values
        #expect(small?.bool(3) == true)
        #expect(small?.all(4).isEmpty == true)
        var big = ProtobufWriter()
        big.string(200, String(repeating: "x", count: 300))
        let m = ProtobufMessage(big.bytes)
        #expect(m?.string(200)?.count == 300)
        #expect(ProtobufMessage([0x0a, 0x05, 0x61]) == nil)  // a length past the end
    }
}
