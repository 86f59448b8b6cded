/// `core/v1.NamespaceSpec`.
public struct NamespaceSpec: Codable, Hashable, Sendable {
    public var finalizers: [String]?
    public init(finalizers: [String]? = nil) { self.finalizers = finalizers }
}

/// `core/v1.NamespaceStatus`. Phase Active or Terminating.
public struct NamespaceStatus: Codable, Hashable, Sendable {
    public var phase: String?
    public var conditions: [NamespaceCondition]?
    public init(phase: String? = nil) { self.phase = phase }

    public struct NamespaceCondition: Codable, Hashable, Sendable {
        public var type: String
        public var status: String
        public var lastTransitionTime: Time?
        public var reason: String?
        public var message: String?
        public init(type: String, status: String) {
            self.type = type
            self.status = status
        }
    }
}

/// `core/v1.Namespace`.
public struct Namespace: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Namespace"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NamespaceSpec? = nil, status: NamespaceStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
