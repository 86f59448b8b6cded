/// The fields a resource exposes to `?fieldSelector=` (as each registry's `GetAttrs`/`ToSelectableFields`).
public protocol FieldSelectable {
    var fieldSet: [String: String] { get }
}

func objectMetaFields(_ m: ObjectMeta, namespaced: Bool = true) -> [String: String] {
    var f = ["metadata.name": m.name ?? ""]
    if namespaced { f["metadata.namespace"] = m.namespace ?? "" }
    return f
}

extension Pod: FieldSelectable {
    public var fieldSet: [String: String] {
        var f = objectMetaFields(metadata)
        f["spec.nodeName"] = spec?.nodeName ?? ""
        f["spec.restartPolicy"] = spec?.restartPolicy ?? ""
        f["spec.schedulerName"] = spec?.schedulerName ?? ""
        f["spec.serviceAccountName"] = spec?.serviceAccountName ?? ""
        f["spec.hostNetwork"] = (spec?.hostNetwork ?? false) ? "true" : "false"
        f["status.phase"] = status?.phase ?? ""
        f["status.podIP"] = status?.podIPs?.first?.ip ?? status?.podIP ?? ""
        f["status.nominatedNodeName"] = status?.nominatedNodeName ?? ""
        return f
    }
}

extension Node: FieldSelectable {
    public var fieldSet: [String: String] {
        var f = objectMetaFields(metadata, namespaced: false)
        f["spec.unschedulable"] = (spec?.unschedulable ?? false) ? "true" : "false"
        return f
    }
}

extension Event: FieldSelectable {
    public var fieldSet: [String: String] {
        var f = objectMetaFields(metadata)
        f["involvedObject.kind"] = involvedObject.kind ?? ""
        f["involvedObject.namespace"] = involvedObject.namespace ?? ""
        f["involvedObject.name"] = involvedObject.name ?? ""
        f["involvedObject.uid"] = involvedObject.uid ?? ""
        f["involvedObject.apiVersion"] = involvedObject.apiVersion ?? ""
        f["involvedObject.resourceVersion"] = involvedObject.resourceVersion ?? ""
        f["involvedObject.fieldPath"] = involvedObject.fieldPath ?? ""
        f["reason"] = reason ?? ""
        f["reportingComponent"] = reportingComponent ?? ""
        f["source"] = source?.component ?? ""
        f["type"] = type ?? ""
        return f
    }
}

extension Secret: FieldSelectable {
    public var fieldSet: [String: String] {
        var f = objectMetaFields(metadata)
        f["type"] = type ?? ""
        return f
    }
}

extension Namespace: FieldSelectable {
    public var fieldSet: [String: String] {
        var f = objectMetaFields(metadata, namespaced: false)
        f["status.phase"] = status?.phase ?? ""
        return f
    }
}

extension ReplicaSet: FieldSelectable {
    public var fieldSet: [String: String] {
        var f = objectMetaFields(metadata)
        f["status.replicas"] = String(status?.replicas ?? 0)
        return f
    }
}

extension Service: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }
extension Endpoints: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }
extension ConfigMap: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }
extension ServiceAccount: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }
extension Deployment: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }
extension EndpointSlice: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }
extension Lease: FieldSelectable { public var fieldSet: [String: String] { objectMetaFields(metadata) } }

extension FieldSelector {
    public func matches(_ object: some FieldSelectable) -> Bool { matches(object.fieldSet) }
}
