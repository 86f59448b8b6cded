/// How a field takes a strategic merge patch: Go's `patchStrategy` struct tag, OpenAPI's
/// `x-kubernetes-patch-strategy`.
public struct PatchStrategy: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Lists: merge element by element (by merge key for objects, as a set for scalars).
    public static let merge = PatchStrategy(rawValue: 1)
    /// Maps: the patch replaces the value whole.
    public static let replace = PatchStrategy(rawValue: 2)
    /// Clients send `$retainKeys` for this object (or each list element): keys not listed are cleared.
    public static let retainKeys = PatchStrategy(rawValue: 4)

    /// The tag text, in the order Kubernetes writes it: "merge", "retainKeys", "merge,retainKeys".
    public var description: String {
        var parts: [String] = []
        if contains(.merge) { parts.append("merge") }
        if contains(.replace) { parts.append("replace") }
        if contains(.retainKeys) { parts.append("retainKeys") }
        return parts.joined(separator: ",")
    }
}

/// The patch metadata of one field and the schema of its value (for a list, of its elements).
public struct PatchField: Sendable {
    public var strategy: PatchStrategy
    public var mergeKey: String?
    public var schema: any PatchSchema

    public init(strategy: PatchStrategy = [], mergeKey: String? = nil, schema: any PatchSchema) {
        self.strategy = strategy
        self.mergeKey = mergeKey
        self.schema = schema
    }
}

/// What strategic merge patch needs to know about a type: Go's `LookupPatchMeta`. A field the schema
/// does not know takes no strategy (maps merge, lists are replaced) and descends into an empty schema,
/// which is how a typed Kubernetes object treats every field without patch tags.
public protocol PatchSchema: Sendable {
    /// Go's `Name()`: the reflect kind of the type ("struct", or "string" for a list of strings),
    /// used in one error message.
    var kindName: String { get }
    func field(_ name: String) -> PatchField
}

/// A schema written as data: the patch-relevant fields of one API type. Fields are only listed where
/// a strategy applies or where a strategy lies beneath.
public struct PatchSchemaNode: PatchSchema, Hashable {
    /// The OpenAPI definition name ("io.k8s.api.core.v1.PodSpec"); empty for anonymous nodes.
    public var definition: String
    public var kindName: String
    public var fields: [String: Field]

    public struct Field: Sendable, Hashable {
        public var strategy: PatchStrategy
        public var mergeKey: String?
        /// Whether the field is a list (then `node` describes its elements).
        public var isList: Bool
        public var node: PatchSchemaNode

        public init(strategy: PatchStrategy = [], mergeKey: String? = nil, isList: Bool = false,
                    node: PatchSchemaNode = .empty) {
            self.strategy = strategy
            self.mergeKey = mergeKey
            self.isList = isList
            self.node = node
        }

        /// A list merged by `mergeKey` (`patchStrategy:"merge"`, plus `retainKeys` when asked).
        public static func list(by mergeKey: String, _ node: PatchSchemaNode = .empty,
                                retainKeys: Bool = false) -> Field {
            Field(strategy: retainKeys ? [.merge, .retainKeys] : .merge, mergeKey: mergeKey, isList: true, node: node)
        }

        /// A list of scalars merged as a set.
        public static let scalarSet = Field(strategy: .merge, isList: true, node: PatchSchemaNode("", kindName: "string"))

        /// A list replaced whole, whose elements still have patch metadata of their own.
        public static func atomicList(_ node: PatchSchemaNode) -> Field { Field(isList: true, node: node) }

        /// A nested object.
        public static func object(_ node: PatchSchemaNode, strategy: PatchStrategy = []) -> Field {
            Field(strategy: strategy, node: node)
        }
    }

    public init(_ definition: String, kindName: String = "struct", fields: [String: Field] = [:]) {
        self.definition = definition
        self.kindName = kindName
        self.fields = fields
    }

    /// A type with no patch metadata anywhere below it.
    public static let empty = PatchSchemaNode("")

    public func field(_ name: String) -> PatchField {
        guard let f = fields[name] else { return PatchField(schema: Self.empty) }
        return PatchField(strategy: f.strategy, mergeKey: f.mergeKey, schema: f.node)
    }
}
