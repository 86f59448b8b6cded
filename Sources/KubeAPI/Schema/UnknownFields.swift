/// `fieldValidation` (Strict, Warn, Ignore): the fields of a request body that the kind's schema
/// does not have, named as Kubernetes' strict decoder names them (`spec.containers[0].imagee`).
public enum FieldValidation: String, Hashable, Sendable {
    case ignore = "Ignore"
    case warn = "Warn"
    case strict = "Strict"

    /// The query parameter's value. kube-apiserver defaults to Warn when the parameter is absent;
    /// nil for a value it would reject.
    public init?(parameter: String?) {
        guard let parameter, !parameter.isEmpty else { self = .warn; return }
        self.init(rawValue: parameter)
    }
}

public enum UnknownFields {
    /// The paths of every field in `object` that the schema of group/version/kind does not define,
    /// sorted. Empty for a kind without a schema (nothing to check against).
    public static func unknownFields(in object: JSONValue, kind: String, group: String, version: String) -> [String] {
        guard let definition = APISchema.definition(group: group, version: version, kind: kind) else { return [] }
        var found: [String] = []
        walk(object, definition: definition, path: "", into: &found)
        return found.sorted()
    }

    /// `unknown field "spec.foo"`: one entry per field, as a `Warning` header's text (Warn) or a part of
    /// the strict decoding error (Strict).
    public static func messages(_ paths: [String]) -> [String] { paths.map { "unknown field \"\($0)\"" } }

    /// The 400 body for Strict: `Pod in version "v1" cannot be handled as a Pod: strict decoding error:
    /// unknown field "spec.containers[0].imagee"`.
    public static func strictError(kind: String, version: String, paths: [String]) -> Status {
        .badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(kind): strict decoding error: "
            + messages(paths).joined(separator: ", "))
    }

    static func walk(_ value: JSONValue, definition: SchemaDefinition, path: String, into found: inout [String]) {
        guard case .object(let fields) = definition.shape, case .object(let members) = value else { return }
        for (key, member) in members {
            let childPath = path.isEmpty ? key : path + "." + key
            guard let field = fields.first(where: { $0.name == key }) else {
                found.append(childPath)
                continue
            }
            walk(member, type: field.type, path: childPath, into: &found)
        }
    }

    static func walk(_ value: JSONValue, type: SchemaType, path: String, into found: inout [String]) {
        switch type {
        case .ref(let name):
            if let d = APISchema.definitions[name] { walk(value, definition: d, path: path, into: &found) }
        case .array(let element):
            guard case .array(let items) = value else { return }
            for (i, item) in items.enumerated() { walk(item, type: element, path: "\(path)[\(i)]", into: &found) }
        case .map(let element):
            guard case .object(let members) = value else { return }
            for (key, member) in members { walk(member, type: element, path: path + "." + key, into: &found) }
        default:
            return
        }
    }
}
