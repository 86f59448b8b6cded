import KubeAPI

/// The OpenAPI v3 documents kubectl consults: the index (`/openapi/v3`) and one document per
/// group-version listing every path and operation with its `x-kubernetes-group-version-kind` and
/// query parameters. kubectl reads these to learn that the server does field validation
/// (`fieldValidation` on PATCH) and then leaves validation to the server. Component schemas are
/// served by the full schema documents when present (`schemaDocuments`); paths come from the catalog.
enum OpenAPIPaths {
    static func groupVersions() -> [(group: String, version: String, path: String)] {
        [("", "v1", "api/v1")] + APIResourceCatalog.groups.flatMap { g in
            g.versions.map { (g.name, $0, "apis/\(g.name)/\($0)") }
        }
    }

    static func index(hash: (String) -> String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for gv in groupVersions() {
            paths[gv.path] = .object(["serverRelativeURL": .string("/openapi/v3/\(gv.path)?hash=\(hash(gv.path))")])
        }
        return .object(["paths": .object(paths)])
    }

    static let writeParams = ["dryRun", "fieldManager", "fieldValidation"]

    static func parameter(_ name: String) -> JSONValue {
        .object(["name": .string(name), "in": .string("query"), "schema": .object(["type": .string("string")]),
                 "uniqueItems": .bool(true)])
    }

    static func operation(_ id: String, gvk: (String, String, String), params: [String]) -> JSONValue {
        .object([
            "operationId": .string(id),
            "x-kubernetes-group-version-kind": .object(["group": .string(gvk.0), "version": .string(gvk.1), "kind": .string(gvk.2)]),
            "parameters": .array(params.map(parameter)),
            "responses": .object(["200": .object(["description": .string("OK")])]),
        ])
    }

    static func document(group: String, version: String) -> JSONValue? {
        guard groupVersions().contains(where: { $0.group == group && $0.version == version }) else { return nil }
        let root = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        var paths: [String: JSONValue] = [:]
        for r in APIResourceCatalog.resources where r.group == group && r.version == version {
            let gvk = (group, version, r.kind)
            let collection = r.namespaced ? "\(root)/namespaces/{namespace}/\(r.name)" : "\(root)/\(r.name)"
            var coll: [String: JSONValue] = [:]
            if r.verbs.contains("list") { coll["get"] = operation("list\(r.kind)", gvk: gvk, params: ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch"]) }
            if r.verbs.contains("create") { coll["post"] = operation("create\(r.kind)", gvk: gvk, params: writeParams) }
            if r.verbs.contains("deletecollection") { coll["delete"] = operation("deleteCollection\(r.kind)", gvk: gvk, params: ["labelSelector", "fieldSelector"]) }
            paths[collection] = .object(coll)
            var item: [String: JSONValue] = [:]
            if r.verbs.contains("get") { item["get"] = operation("read\(r.kind)", gvk: gvk, params: []) }
            if r.verbs.contains("update") { item["put"] = operation("replace\(r.kind)", gvk: gvk, params: writeParams) }
            if r.verbs.contains("patch") { item["patch"] = operation("patch\(r.kind)", gvk: gvk, params: writeParams + ["force"]) }
            if r.verbs.contains("delete") { item["delete"] = operation("delete\(r.kind)", gvk: gvk, params: ["gracePeriodSeconds", "propagationPolicy", "dryRun"]) }
            paths[collection + "/{name}"] = .object(item)
            for s in r.subresources where s.verbs.contains("patch") || s.verbs.contains("update") {
                let sgvk = (s.group ?? group, s.version ?? version, s.kind)
                var sub: [String: JSONValue] = [:]
                if s.verbs.contains("get") { sub["get"] = operation("read\(r.kind)\(s.name.capitalized)", gvk: sgvk, params: []) }
                if s.verbs.contains("update") { sub["put"] = operation("replace\(r.kind)\(s.name.capitalized)", gvk: sgvk, params: writeParams) }
                if s.verbs.contains("patch") { sub["patch"] = operation("patch\(r.kind)\(s.name.capitalized)", gvk: sgvk, params: writeParams + ["force"]) }
                paths[collection + "/{name}/\(s.name)"] = .object(sub)
            }
        }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string("v1.32.0")]),
            "paths": .object(paths),
            "components": .object(["schemas": .object([:])]),
        ])
    }
}

extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
