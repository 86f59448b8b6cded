/// The schema of a served kind's fields, as OpenAPI describes it: what `kubectl explain` shows, what
/// `fieldValidation` checks unknown fields against, and what the OpenAPI v2/v3 documents are written from.
/// Written to match what the KubeAPI Swift types encode (SchemaRoundTripTests hold them together).

/// The type of one field. References name a definition the Kubernetes way
/// (`io.k8s.api.core.v1.PodSpec`).
public indirect enum SchemaType: Hashable, Sendable {
    case string
    /// base64 in JSON (`format: byte`): Secret data.
    case bytes
    case int32
    case int64
    case boolean
    case number
    case ref(String)
    case array(SchemaType)
    /// A JSON object with arbitrary keys (`additionalProperties`): labels, resource lists.
    case map(SchemaType)
    /// Any JSON object (managedFields' fieldsV1, a watch event's object).
    case freeForm
}

/// One field of an object definition.
public struct SchemaField: Hashable, Sendable {
    public var name: String
    public var type: SchemaType
    public var description: String

    public init(_ name: String, _ type: SchemaType, _ description: String = "") {
        self.name = name
        self.type = type
        self.description = description
    }
}

/// `x-kubernetes-group-version-kind`: the top-level kinds a definition is served as.
public struct GroupVersionKind: Hashable, Sendable {
    public var group: String
    public var version: String
    public var kind: String
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }
}

/// One named definition: an object with fields, or a string-shaped scalar (Quantity, Time, IntOrString).
public struct SchemaDefinition: Hashable, Sendable {
    public enum Shape: Hashable, Sendable {
        case object([SchemaField])
        /// An OpenAPI primitive with a format: ("string", "date-time"), ("string", "int-or-string").
        case scalar(type: String, format: String?)
        case freeForm
    }

    public var name: String
    public var description: String
    public var shape: Shape
    public var required: [String]
    public var groupVersionKinds: [GroupVersionKind]

    public init(name: String, description: String, shape: Shape, required: [String] = [],
                groupVersionKinds: [GroupVersionKind] = []) {
        self.name = name
        self.description = description
        self.shape = shape
        self.required = required
        self.groupVersionKinds = groupVersionKinds
    }

    public var fields: [SchemaField] {
        if case .object(let f) = shape { return f }
        return []
    }

    public func field(_ name: String) -> SchemaField? { fields.first { $0.name == name } }

    /// The last dotted component: "PodSpec" for io.k8s.api.core.v1.PodSpec.
    public var shortName: String { String(name.split(separator: ".").last ?? Substring(name)) }
}

/// Where each served API group's definitions live in Kubernetes' naming.
public enum SchemaNames {
    public static let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
    public static let quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"
    public static let intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"

    /// The definition name prefix for a group-version: "" v1 → io.k8s.api.core.v1.
    public static func prefix(group: String, version: String) -> String {
        switch group {
        case "": return "io.k8s.api.core.\(version)."
        case "meta.k8s.io": return meta
        default:
            let short = group.hasSuffix(".k8s.io") ? String(group.dropLast(".k8s.io".count)) : group
            return "io.k8s.api.\(short).\(version)."
        }
    }

    public static func definitionName(group: String, version: String, kind: String) -> String {
        prefix(group: group, version: version) + kind
    }
}
