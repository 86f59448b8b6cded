import KubeAPI

/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` asks for): objects as a
/// `meta.k8s.io/v1` Table. Kinds without their own printer get kube's default columns (Name, Created At).
enum TableOutput {
    /// Whether the Accept header asks for a Table (first acceptable media type wins, as kube negotiates).
    static func wanted(_ accept: String?) -> Bool {
        guard let accept else { return false }
        for clause in accept.split(separator: ",") {
            let params = clause.split(separator: ";").map { $0.trimmingSpaces() }
            guard let type = params.first, type == "application/json" || type == "*/*" else { continue }
            let p = Set(params.dropFirst())
            if p.contains("as=Table") && p.contains("g=meta.k8s.io") && (p.contains("v=v1") || p.contains("v=v1beta1")) { return true }
            if !p.contains(where: { $0.hasPrefix("as=") }) { return false }
        }
        return false
    }

    static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    static let defaultColumns: JSONValue = .array([
        .object(["name": .string("Name"), "type": .string("string"), "format": .string("name"), "priority": .integer(0),
                 "description": .string("Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")]),
        .object(["name": .string("Created At"), "type": .string("date"), "format": .string(""), "priority": .integer(0),
                 "description": .string("CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")]),
    ])

    /// `includeObject`: Object embeds the object, None nothing, Metadata (default) its metadata.
    static func rowObject(_ object: JSONValue, include: String?) -> JSONValue? {
        switch include {
        case "None": return nil
        case "Object": return object
        default:
            return .object(["kind": .string("PartialObjectMetadata"), "apiVersion": .string("meta.k8s.io/v1"),
                            "metadata": object["metadata"] ?? .object([:])])
        }
    }

    static func row(_ object: JSONValue, include: String?) -> JSONValue {
        var row: [String: JSONValue] = [
            "cells": .array([object.meta("name") ?? .string(""), object.meta("creationTimestamp") ?? .null]),
        ]
        if let o = rowObject(object, include: include) { row["object"] = o }
        return .object(row)
    }

    static func table(_ objects: [JSONValue], listMetadata: JSONValue?, include: String?) -> JSONValue {
        var t: [String: JSONValue] = [
            "kind": .string("Table"), "apiVersion": .string("meta.k8s.io/v1"),
            "metadata": listMetadata ?? .object([:]),
            "columnDefinitions": defaultColumns,
            "rows": .array(objects.map { row($0, include: include) }),
        ]
        if listMetadata == nil { t["metadata"] = .object(["resourceVersion": objects.first?.meta("resourceVersion") ?? .string("")]) }
        return .object(t)
    }

    static func response(_ table: JSONValue) -> APIResponse {
        var r = Responses.json(200, table)
        r.headers = [("content-type", contentType)]
        return r
    }
}
