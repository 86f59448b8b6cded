/// Definitions rendered as OpenAPI schema objects. v2 (`#/definitions/`) puts a field's description
/// beside its `$ref`; v3 (`#/components/schemas/`) wraps the reference in `allOf`, as kube-openapi does,
/// since OpenAPI 3.0 ignores the siblings of `$ref`.
public enum SchemaJSON {
    public enum Flavor: Sendable { case v2, v3 }

    static func refPrefix(_ flavor: Flavor) -> String {
        flavor == .v2 ? "#/definitions/" : "#/components/schemas/"
    }

    public static func definition(_ d: SchemaDefinition, _ flavor: Flavor) -> JSONValue {
        var out: [String: JSONValue] = ["description": .string(d.description)]
        switch d.shape {
        case .scalar(let type, let format):
            out["type"] = .string(type)
            if let format { out["format"] = .string(format) }
        case .freeForm:
            out["type"] = .string("object")
        case .object(let fields):
            out["type"] = .string("object")
            var properties: [String: JSONValue] = [:]
            for f in fields {
                var property = field(f.type, flavor, description: f.description)
                for (k, v) in PatchMetadata.extensions(definition: d.name, field: f.name) { property[k] = v }
                properties[f.name] = property
            }
            out["properties"] = .object(properties)
            if !d.required.isEmpty { out["required"] = .array(d.required.map(JSONValue.string)) }
        }
        if !d.groupVersionKinds.isEmpty {
            out["x-kubernetes-group-version-kind"] = .array(d.groupVersionKinds.map(gvk))
        }
        return .object(out)
    }

    static func gvk(_ g: GroupVersionKind) -> JSONValue {
        .object(["group": .string(g.group), "version": .string(g.version), "kind": .string(g.kind)])
    }

    static func field(_ type: SchemaType, _ flavor: Flavor, description: String) -> JSONValue {
        var out = schema(type, flavor)
        if case .ref(let name) = type, flavor == .v3 {
            out = .object(["allOf": .array([.object(["$ref": .string(refPrefix(flavor) + name)])])])
        }
        if !description.isEmpty { out["description"] = .string(description) }
        return out
    }

    static func schema(_ type: SchemaType, _ flavor: Flavor) -> JSONValue {
        switch type {
        case .string: .object(["type": .string("string")])
        case .bytes: .object(["type": .string("string"), "format": .string("byte")])
        case .int32: .object(["type": .string("integer"), "format": .string("int32")])
        case .int64: .object(["type": .string("integer"), "format": .string("int64")])
        case .boolean: .object(["type": .string("boolean")])
        case .number: .object(["type": .string("number"), "format": .string("double")])
        case .freeForm: .object(["type": .string("object")])
        case .ref(let name): .object(["$ref": .string(refPrefix(flavor) + name)])
        case .array(let element): .object(["type": .string("array"), "items": schema(element, flavor)])
        case .map(let element): .object(["type": .string("object"), "additionalProperties": schema(element, flavor)])
        }
    }
}

/// Strategic merge patch metadata (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`) of a
/// field, from the one patch strategies table the API server patches by.
enum PatchMetadata {
    static let byField: [String: [String: JSONValue]] = {
        var out: [String: [String: JSONValue]] = [:]
        for e in PatchStrategies.definitionEntries {
            var ext: [String: JSONValue] = ["x-kubernetes-patch-strategy": .string(e.strategy.description)]
            if let key = e.mergeKey { ext["x-kubernetes-patch-merge-key"] = .string(key) }
            out[e.definition + "/" + e.field] = ext
        }
        return out
    }()

    static func extensions(definition: String, field: String) -> [String: JSONValue] {
        byField[definition + "/" + field] ?? [:]
    }
}
