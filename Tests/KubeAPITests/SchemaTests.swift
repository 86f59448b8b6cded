import Foundation
import Testing
@testable import KubeAPI

/// The schema must describe exactly what the Swift types encode: a document with every schema field
/// decodes into the type and encodes back to the same fields, and nothing the type encodes is unknown
/// to the schema.
@Suite struct SchemaTests {
    /// Schema fields the types accept but do not keep (the server drops them, as it documents).
    static let acceptedNotKept: Set<String> = ["metadata.managedFields"]
    static func isAcceptedNotKept(_ path: String) -> Bool { acceptedNotKept.contains { path.contains($0) } }

    /// A value for every field of `type`, one element per array and map.
    static func sample(_ type: SchemaType, depth: Int = 0) -> KJSON {
        switch type {
        case .string: return .string("x")
        case .bytes: return .string("AA==")
        case .int32, .int64: return .integer(1)
        case .boolean: return .bool(true)
        case .number: return .double(1.5)
        case .freeForm: return .object([:])
        case .array(let e): return .array([sample(e, depth: depth + 1)])
        case .map(let e): return .object(["k": sample(e, depth: depth + 1)])
        case .ref(let name):
            switch name {
            case SchemaNames.quantity: return .string("100m")
            case SchemaNames.intOrString: return .integer(8080)
            case SchemaNames.meta + "Time": return .string("2026-11-24T16:35:14Z")
            case SchemaNames.meta + "MicroTime": return .string("2026-11-24T16:35:14.123456Z")
            default: break
            }
            guard depth < 40, let d = APISchema.definitions[name] else { return .object([:]) }
            var out: [String: KJSON] = [:]
            for f in d.fields { out[f.name] = sample(f.type, depth: depth + 1) }
            return .object(out)
        }
    }

    /// Every leaf path of a document: "spec.containers[].name".
    static func paths(_ v: KJSON, _ prefix: String = "") -> Set<String> {
        switch v {
        case .object(let o):
            if o.isEmpty { return [prefix] }
            return o.reduce(into: Set<String>()) { acc, kv in
                acc.formUnion(paths(kv.value, prefix.isEmpty ? kv.key : prefix + "." + kv.key))
            }
        case .array(let a):
            return a.reduce(into: Set<String>()) { acc, e in acc.formUnion(paths(e, prefix + "[]")) }
        default:
            return [prefix]
        }
    }

    static func roundTrip<T: Codable>(_ type: T.Type, group: String, version: String, kind: String) throws {
        let name = SchemaNames.definitionName(group: group, version: version, kind: kind)
        let full = sample(.ref(name))
        let decoded = try full.decode(T.self)
        let encoded = try KJSON(encoding: decoded)
        let sent = paths(full)
        let kept = paths(encoded)
        let dropped = sent.subtracting(kept).filter { !isAcceptedNotKept($0) }
        #expect(dropped.isEmpty, "\(kind): schema fields the type drops: \(dropped.sorted())")
        let unknown = UnknownFields.unknownFields(in: encoded, kind: kind, group: group, version: version)
        #expect(unknown.isEmpty, "\(kind): fields the type encodes that the schema lacks: \(unknown)")
    }

    @Test func everyServedKindMatchesItsType() throws {
        try Self.roundTrip(Pod.self, group: "", version: "v1", kind: "Pod")
        try Self.roundTrip(Node.self, group: "", version: "v1", kind: "Node")
        try Self.roundTrip(Service.self, group: "", version: "v1", kind: "Service")
        try Self.roundTrip(ConfigMap.self, group: "", version: "v1", kind: "ConfigMap")
        try Self.roundTrip(Secret.self, group: "", version: "v1", kind: "Secret")
        try Self.roundTrip(Endpoints.self, group: "", version: "v1", kind: "Endpoints")
        try Self.roundTrip(Event.self, group: "", version: "v1", kind: "Event")
        try Self.roundTrip(Namespace.self, group: "", version: "v1", kind: "Namespace")
        try Self.roundTrip(ServiceAccount.self, group: "", version: "v1", kind: "ServiceAccount")
        try Self.roundTrip(Binding.self, group: "", version: "v1", kind: "Binding")
        try Self.roundTrip(Deployment.self, group: "apps", version: "v1", kind: "Deployment")
        try Self.roundTrip(ReplicaSet.self, group: "apps", version: "v1", kind: "ReplicaSet")
        try Self.roundTrip(Lease.self, group: "coordination.k8s.io", version: "v1", kind: "Lease")
        try Self.roundTrip(EndpointSlice.self, group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")
        try Self.roundTrip(Status.self, group: "", version: "v1", kind: "Status")
        try Self.roundTrip(List<Pod>.self, group: "", version: "v1", kind: "PodList")
    }

    @Test func everyServedResourceHasADefinition() {
        for r in APIResourceCatalog.resources {
            let d = APISchema.definition(group: r.group, version: r.version, kind: r.kind)
            #expect(d != nil, "\(r.kind)")
            #expect(d?.groupVersionKinds.contains(GroupVersionKind(group: r.group, version: r.version, kind: r.kind)) == true)
            for sub in r.subresources where ["status", "scale", "binding"].contains(sub.name) {
                #expect(APISchema.definition(group: sub.group ?? r.group, version: sub.version ?? r.version,
                                             kind: sub.kind) != nil, "\(r.name)/\(sub.name)")
            }
        }
        #expect(APISchema.definitions["io.k8s.api.core.v1.PodList"]?.groupVersionKinds.first?.kind == "PodList")
        #expect(APISchema.definitions["io.k8s.api.coordination.v1.LeaseSpec"] != nil)
    }

    @Test func everyReferenceResolves() {
        for d in APISchema.definitions.values {
            for f in d.fields {
                for r in f.type.references {
                    #expect(APISchema.definitions[r] != nil, "\(d.name).\(f.name) → \(r)")
                }
            }
            for r in d.required { #expect(d.field(r) != nil, "\(d.name) requires missing \(r)") }
        }
    }

    @Test func unknownFieldsAreNamedLikeKubernetes() throws {
        let pod = try KJSON.parse(Array(#"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"any-key":"ok"},"labelz":{}},
         "spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","imagee":"nginx","ports":[{"containerPort":80,"hostport":1}]}],
                 "nodeSelector":{"disk":"ssd"},"foo":1},
         "status":{"phase":"Pending"},"extra":true}
        """#.utf8))
        #expect(UnknownFields.unknownFields(in: pod, kind: "Pod", group: "", version: "v1")
            == ["extra", "metadata.labelz", "spec.containers[1].imagee", "spec.containers[1].ports[0].hostport", "spec.foo"])

        let deployment = try KJSON.parse(Array(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
         "spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailble":1}},
                 "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"1"}},"livenessProbe":{"httpGet":{"port":"http","paht":"/"}}}]}}}}
        """#.utf8))
        #expect(UnknownFields.unknownFields(in: deployment, kind: "Deployment", group: "apps", version: "v1")
            == ["spec.strategy.rollingUpdate.maxUnavailble", "spec.template.spec.containers[0].livenessProbe.httpGet.paht"])

        let clean = try KJSON(encoding: Samples.decodedPod())
        #expect(UnknownFields.unknownFields(in: clean, kind: "Pod", group: "", version: "v1").isEmpty)
        #expect(UnknownFields.unknownFields(in: pod, kind: "Widget", group: "example.com", version: "v1").isEmpty)
    }

    @Test func strictAndWarnMessages() {
        let paths = ["spec.containers[0].imagee", "spec.foo"]
        #expect(UnknownFields.messages(paths) == [#"unknown field "spec.containers[0].imagee""#, #"unknown field "spec.foo""#])
        let status = UnknownFields.strictError(kind: "Pod", version: "v1", paths: paths)
        #expect(status.code == 400)
        #expect(status.reason == "BadRequest")
        #expect(status.message == #"Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee", unknown field "spec.foo""#)
        #expect(FieldValidation(parameter: nil) == .warn)
        #expect(FieldValidation(parameter: "Strict") == .strict)
        #expect(FieldValidation(parameter: "strict") == nil)
    }
}

extension Samples {
    static func decodedPod() throws -> Pod { try JSONDecoder().decode(Pod.self, from: Data(pod.utf8)) }
}
