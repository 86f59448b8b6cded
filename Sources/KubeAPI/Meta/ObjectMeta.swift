/// `metav1.TypeMeta`.
public struct TypeMeta: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public init(apiVersion: String? = nil, kind: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
    }
}

/// `metav1.OwnerReference`.
public struct OwnerReference: Codable, Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
                blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.ObjectMeta` (managedFields are not modelled).
public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var selfLink: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Time?
    public var deletionTimestamp: Time?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
                annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    /// The owner reference with `controller: true`, if any.
    public var controllerRef: OwnerReference? { ownerReferences?.first { $0.controller == true } }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Hashable, Sendable {
    public var selfLink: String?
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int64?
    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// A top-level API object: type metadata, object metadata, and its group/version/kind.
public protocol KubeObject: Codable, Hashable, Sendable {
    static var apiVersion: String { get }
    static var kind: String { get }
    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension KubeObject {
    /// Fills in `apiVersion` and `kind` from the type (as the API server does on output).
    public mutating func setTypeMeta() {
        apiVersion = Self.apiVersion
        kind = Self.kind
    }

    public func withTypeMeta() -> Self {
        var copy = self
        copy.setTypeMeta()
        return copy
    }
}

/// A list of objects (`PodList`, `DeploymentList`, …): kind is the item kind + "List".
public struct List<Item: KubeObject>: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(items: [Item], metadata: ListMeta = ListMeta()) {
        apiVersion = Item.apiVersion
        kind = Item.kind + "List"
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // Kubernetes writes `"items": []` for an empty list but older clients may send null.
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}
