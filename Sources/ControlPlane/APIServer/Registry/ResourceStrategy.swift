import KubeAPI

/// How one resource behaves in the generic registry (kube's per-type `RESTCreateStrategy` /
/// `RESTUpdateStrategy` knobs), decided by its catalog entry and a few kind-specific rules.
struct ResourceStrategy: Sendable {
    let info: APIResourceInfo

    init(_ info: APIResourceInfo) { self.info = info }

    var resource: String { info.name }
    var groupResource: GroupResource { GroupResource(group: info.group, resource: info.name) }
    var hasStatus: Bool { info.subresources.contains { $0.name == "status" } }
    var hasScale: Bool { info.subresources.contains { $0.name == "scale" } }

    /// `metadata.generation` starts at 1 and moves when the spec changes.
    var tracksGeneration: Bool { ["deployments", "replicasets"].contains(resource) }

    /// Kinds whose DELETE answers with the object rather than a Success Status.
    var returnsDeletedObject: Bool { ["pods", "services", "nodes", "namespaces"].contains(resource) }

    /// PUT of a missing object creates it (kube: endpoints, leases, events are written this way by
    /// controllers; the rest answer 404).
    var allowCreateOnUpdate: Bool { ["endpoints", "leases", "events"].contains(resource) }

    /// The field of the object that the main resource's writes never change (the status subresource's).
    var statusField: String { "status" }

    /// Name rules per kind (`ValidateObjectMeta`'s name function).
    func nameErrors(_ name: String) -> [String] {
        switch resource {
        case "namespaces": return Validation.dns1123Label(name)
        case "services": return Validation.dns1035Label(name)
        default: return Validation.dns1123Subdomain(name)
        }
    }

    /// The fields `?fieldSelector=` may name, with their values for `object`.
    func fieldSet(_ o: JSONValue) -> [String: String] {
        var f: [String: String] = ["metadata.name": o.metaString("name") ?? ""]
        if info.namespaced { f["metadata.namespace"] = o.metaString("namespace") ?? "" }
        func s(_ path: String...) -> String {
            guard let v = o.value(at: path) else { return "" }
            switch v {
            case .string(let x): return x
            case .bool(let b): return b ? "true" : "false"
            case .integer(let i): return String(i)
            default: return ""
            }
        }
        switch resource {
        case "pods":
            f["spec.nodeName"] = s("spec", "nodeName")
            f["spec.restartPolicy"] = s("spec", "restartPolicy")
            f["spec.schedulerName"] = s("spec", "schedulerName")
            f["spec.serviceAccountName"] = s("spec", "serviceAccountName")
            f["spec.hostNetwork"] = s("spec", "hostNetwork").isEmpty ? "false" : s("spec", "hostNetwork")
            f["status.phase"] = s("status", "phase")
            f["status.podIP"] = s("status", "podIP")
            f["status.nominatedNodeName"] = s("status", "nominatedNodeName")
        case "nodes":
            f["spec.unschedulable"] = s("spec", "unschedulable").isEmpty ? "false" : s("spec", "unschedulable")
        case "events":
            for k in ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] {
                f["involvedObject." + k] = s("involvedObject", k)
            }
            f["reason"] = s("reason")
            f["reportingComponent"] = s("reportingComponent")
            f["source"] = s("source", "component")
            f["type"] = s("type")
        case "secrets":
            f["type"] = s("type")
        case "namespaces":
            f["status.phase"] = s("status", "phase")
        case "replicasets":
            f["status.replicas"] = s("status", "replicas").isEmpty ? "0" : s("status", "replicas")
        default:
            break
        }
        return f
    }

    static func lookup(group: String, version: String, resource: String) -> ResourceStrategy? {
        APIResourceCatalog.resource(group: group, version: version, name: resource).map(ResourceStrategy.init)
    }
}
