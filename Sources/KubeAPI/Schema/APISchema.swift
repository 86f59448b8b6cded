/// Every definition Swiftlet serves, by name, and the kinds it serves them as.
public enum APISchema {
    /// All definitions, the served kinds' lists included, by Kubernetes name.
    public static let definitions: [String: SchemaDefinition] = {
        var all = SchemaBuilder.podDefinitions + SchemaBuilder.volumeAndSchedulingDefinitions
            + SchemaBuilder.clusterDefinitions + SchemaBuilder.groupDefinitions + SchemaBuilder.metaDefinitions
        for resource in APIResourceCatalog.resources where resource.verbs.contains("list") {
            let name = SchemaNames.definitionName(group: resource.group, version: resource.version, kind: resource.kind)
            if let item = all.first(where: { $0.name == name }), let list = SchemaBuilder.list(of: item) {
                all.append(list)
            }
        }
        var byName: [String: SchemaDefinition] = [:]
        for d in all { byName[d.name] = d }
        return byName
    }()

    /// The definition of a served kind (or its list), nil for a kind Swiftlet does not know.
    public static func definition(group: String, version: String, kind: String) -> SchemaDefinition? {
        if let d = definitions[SchemaNames.definitionName(group: group, version: version, kind: kind)],
           d.groupVersionKinds.contains(GroupVersionKind(group: group, version: version, kind: kind)) {
            return d
        }
        return definitions.values.first {
            $0.groupVersionKinds.contains(GroupVersionKind(group: group, version: version, kind: kind))
        }
    }

    /// The definitions reachable from `roots` (the roots included), in name order.
    public static func closure(of roots: [String]) -> [SchemaDefinition] {
        var seen = Set<String>()
        var stack = roots
        while let name = stack.popLast() {
            guard !seen.contains(name), let d = definitions[name] else { continue }
            seen.insert(name)
            for f in d.fields { stack.append(contentsOf: f.type.references) }
        }
        return seen.sorted().compactMap { definitions[$0] }
    }
}

extension SchemaType {
    /// The definition names this type refers to.
    public var references: [String] {
        switch self {
        case .ref(let name): [name]
        case .array(let t), .map(let t): t.references
        default: []
        }
    }
}
