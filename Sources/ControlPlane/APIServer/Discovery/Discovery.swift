import KubeAPI

/// The discovery documents kubectl reads to map kinds to resources: `/api` (APIVersions), `/apis`
/// (APIGroupList), `/apis/{group}` (APIGroup) and `/api/v1`, `/apis/{group}/{version}`
/// (APIResourceList with subresources), all from the resource catalog.
enum Discovery {
    static func apiVersions(serverAddress: String) -> JSONValue {
        .object([
            "kind": .string("APIVersions"),
            "versions": .array([.string("v1")]),
            "serverAddressByClientCIDRs": .array([.object(["clientCIDR": .string("0.0.0.0/0"),
                                                            "serverAddress": .string(serverAddress)])]),
        ])
    }

    static func groupVersionEntry(_ group: String, _ version: String) -> JSONValue {
        .object(["groupVersion": .string(group + "/" + version), "version": .string(version)])
    }

    static func group(_ name: String, _ versions: [String]) -> JSONValue {
        .object([
            "name": .string(name),
            "versions": .array(versions.map { groupVersionEntry(name, $0) }),
            "preferredVersion": groupVersionEntry(name, versions.first ?? "v1"),
        ])
    }

    static func apiGroupList() -> JSONValue {
        .object([
            "kind": .string("APIGroupList"),
            "apiVersion": .string("v1"),
            "groups": .array(APIResourceCatalog.groups.map { group($0.name, $0.versions) }),
        ])
    }

    static func apiGroup(_ name: String) -> JSONValue? {
        guard let g = APIResourceCatalog.groups.first(where: { $0.name == name }) else { return nil }
        var v = group(g.name, g.versions)
        v["kind"] = .string("APIGroup")
        v["apiVersion"] = .string("v1")
        return v
    }

    static func resourceEntries(group: String, version: String) -> [JSONValue] {
        var out: [JSONValue] = []
        for r in APIResourceCatalog.resources where r.group == group && r.version == version {
            var entry: [String: JSONValue] = [
                "name": .string(r.name),
                "singularName": .string(r.singularName),
                "namespaced": .bool(r.namespaced),
                "kind": .string(r.kind),
                "verbs": .array(r.verbs.map(JSONValue.string)),
            ]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map(JSONValue.string)) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map(JSONValue.string)) }
            out.append(.object(entry))
            for s in r.subresources {
                var sub: [String: JSONValue] = [
                    "name": .string(r.name + "/" + s.name),
                    "singularName": .string(""),
                    "namespaced": .bool(r.namespaced),
                    "kind": .string(s.kind),
                    "verbs": .array(s.verbs.map(JSONValue.string)),
                ]
                if let g = s.group { sub["group"] = .string(g) }
                if let v = s.version { sub["version"] = .string(v) }
                out.append(.object(sub))
            }
        }
        return out
    }

    static func apiResourceList(group: String, version: String) -> JSONValue? {
        let known = group.isEmpty ? version == "v1"
            : APIResourceCatalog.groups.contains { $0.name == group && $0.versions.contains(version) }
        guard known else { return nil }
        return .object([
            "kind": .string("APIResourceList"),
            "apiVersion": .string("v1"),
            "groupVersion": .string(group.isEmpty ? version : group + "/" + version),
            "resources": .array(resourceEntries(group: group, version: version)),
        ])
    }
}
