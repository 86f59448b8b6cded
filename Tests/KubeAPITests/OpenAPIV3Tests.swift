import Foundation
import Testing
@testable import KubeAPI

@Suite struct OpenAPIV3Tests {
    @Test func sha512KnownAnswers() {
        #expect(SHA512.hexDigest([]) == "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E")
        #expect(SHA512.hexDigest(Array("abc".utf8)) == "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F")
        #expect(SHA512.hexDigest([UInt8](repeating: 0x61, count: 1000)) == "67BA5535A46E3F86DBFBED8CBBAF0125C76ED549FF8B0B9E03E0C88CF90FA634FA7B12B47D77B694DE488ACE8D9A65967DC96DF599727D3292A8D9D447709C97")
        // 111 and 112 bytes: the padding fits in one block, then needs a second one.
        #expect(SHA512.hexDigest([UInt8](repeating: 0x78, count: 111)) == "9A2A120825C2319867758EC277924F6FAA254968BF752046DACDD948D8AD299B10359FD04BFD7D3810B5FA1B16A294236138BAFF981CBB85248478053AC4D3DD")
        #expect(SHA512.hexDigest([UInt8](repeating: 0x78, count: 112)) == "A3722B515EF40C910F2419F6E0DA8CA51D410114CE6272FAAE64045F9E9F630E7FA8DD5A3243C9860B899D148C3DA4BC0F9E07454542604D030BB55531FE0D5B")
    }

    @Test func indexListsEveryGroupVersionByHash() throws {
        let index = try KJSON.parse(OpenAPIV3.indexBytes())
        let paths = index["paths"]?.objectValue ?? [:]
        #expect(Set(paths.keys) == ["api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1"])
        for (path, entry) in paths {
            let doc = try #require(OpenAPIV3.document(path: path))
            #expect(doc.hash == SHA512.hexDigest(doc.bytes))
            #expect(entry["serverRelativeURL"] == .string("/openapi/v3/\(path)?hash=\(doc.hash)"))
        }
        #expect(OpenAPIV3.document(path: "apis/batch/v1") == nil)
    }

    /// Every `$ref` of a document names one of its own schemas.
    static func refs(_ v: KJSON) -> [String] {
        switch v {
        case .object(let o):
            return o.flatMap { k, v in k == "$ref" ? [v.stringValue ?? ""] : refs(v) }
        case .array(let a): return a.flatMap(refs)
        default: return []
        }
    }

    @Test func documentsAreSelfContainedOpenAPI3() throws {
        for (path, d) in OpenAPIV3.documents {
            let doc = try KJSON.parse(d.bytes)
            #expect(doc["openapi"] == .string("3.0.0"))
            let schemas = doc["components"]?["schemas"]?.objectValue ?? [:]
            #expect(!schemas.isEmpty, "\(path)")
            for r in Self.refs(doc) {
                #expect(r.hasPrefix("#/components/schemas/") && schemas[String(r.dropFirst(21))] != nil, "\(path): \(r)")
            }
        }
    }

    /// What kubectl's QueryParamVerifierV3 looks for: a PATCH operation carrying the kind's
    /// x-kubernetes-group-version-kind and a `fieldValidation` query parameter.
    @Test func patchOperationsAdvertiseFieldValidation() throws {
        let core = try KJSON.parse(try #require(OpenAPIV3.document(path: "api/v1")).bytes)
        let podItem = try #require(core["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"])
        let patch = try #require(podItem["patch"])
        #expect(patch["operationId"] == .string("patchCoreV1NamespacedPod"))
        #expect(patch["x-kubernetes-action"] == .string("patch"))
        #expect(patch["x-kubernetes-group-version-kind"] == .object(["group": .string(""), "version": .string("v1"), "kind": .string("Pod")]))
        let params = patch["parameters"]?.arrayValue ?? []
        #expect(params.contains { $0["name"] == .string("fieldValidation") && $0["in"] == .string("query") })
        let content = patch["requestBody"]?["content"]?.objectValue ?? [:]
        #expect(content["application/strategic-merge-patch+json"] != nil)
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/pods"]?["post"]?["parameters"]?.arrayValue?
            .contains { $0["name"] == .string("fieldValidation") } == true)
        #expect(core["paths"]?["/api/v1/nodes/{name}"]?["patch"]?["operationId"] == .string("patchCoreV1Node"))
        #expect(core["paths"]?["/api/v1/pods"]?["get"]?["operationId"] == .string("listCoreV1PodForAllNamespaces"))

        let apps = try KJSON.parse(try #require(OpenAPIV3.document(path: "apis/apps/v1")).bytes)
        let scale = try #require(apps["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]?["patch"])
        #expect(scale["operationId"] == .string("patchAppsV1NamespacedDeploymentScale"))
        #expect(scale["x-kubernetes-group-version-kind"]?["group"] == .string("autoscaling"))
        #expect(apps["components"]?["schemas"]?["io.k8s.api.autoscaling.v1.Scale"] != nil)
        #expect(apps["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments"]?["delete"]?["operationId"]
            == .string("deleteAppsV1CollectionNamespacedDeployment"))
    }

    /// What `kubectl explain pod.spec.containers` walks: Pod → spec → PodSpec.containers → Container.
    @Test func explainPathResolves() throws {
        let core = try KJSON.parse(try #require(OpenAPIV3.document(path: "api/v1")).bytes)
        let schemas = try #require(core["components"]?["schemas"])
        let pod = try #require(schemas["io.k8s.api.core.v1.Pod"])
        #expect(pod["x-kubernetes-group-version-kind"] == .array([.object(["group": .string(""), "version": .string("v1"), "kind": .string("Pod")])]))
        #expect(pod["properties"]?["spec"]?["allOf"]?.arrayValue?.first?["$ref"] == .string("#/components/schemas/io.k8s.api.core.v1.PodSpec"))
        let containers = try #require(schemas["io.k8s.api.core.v1.PodSpec"]?["properties"]?["containers"])
        #expect(containers["type"] == .string("array"))
        #expect(containers["items"]?["$ref"] == .string("#/components/schemas/io.k8s.api.core.v1.Container"))
        #expect(schemas["io.k8s.api.core.v1.PodSpec"]?["required"] == .array([.string("containers")]))
        let container = try #require(schemas["io.k8s.api.core.v1.Container"])
        #expect(container["properties"]?["image"]?["type"] == .string("string"))
        #expect(container["properties"]?["ports"]?["items"]?["$ref"] == .string("#/components/schemas/io.k8s.api.core.v1.ContainerPort"))
        #expect(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]?["format"] == .string("int-or-string"))
        // Strategic merge patch metadata comes from PatchStrategies.
        let containersField = schemas["io.k8s.api.core.v1.PodSpec"]?["properties"]?["containers"]
        #expect(containersField?["x-kubernetes-patch-merge-key"] == .string("name"))
        #expect(containersField?["x-kubernetes-patch-strategy"] == .string("merge"))
        #expect(schemas["io.k8s.api.core.v1.PodSpec"]?["properties"]?["volumes"]?["x-kubernetes-patch-strategy"]
            == .string("merge,retainKeys"))
        #expect(container["properties"]?["env"]?["x-kubernetes-patch-merge-key"] == .string("name"))
        #expect(container["properties"]?["image"]?["x-kubernetes-patch-strategy"] == nil)
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?["properties"]?["finalizers"]?["x-kubernetes-patch-strategy"]
            == .string("merge"))
    }
}
