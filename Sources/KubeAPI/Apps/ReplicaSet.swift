/// `apps/v1.ReplicaSetSpec`.
public struct ReplicaSetSpec: Codable, Hashable, Sendable {
    public var replicas: Int32?
    public var minReadySeconds: Int32?
    public var selector: LabelSelector
    public var template: PodTemplateSpec?
    public init(replicas: Int32? = nil, selector: LabelSelector, template: PodTemplateSpec? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

/// `apps/v1.ReplicaSetCondition`.
public struct ReplicaSetCondition: Codable, Hashable, Sendable {
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

/// `apps/v1.ReplicaSetStatus`. `replicas` is always written (no omitempty in Kubernetes).
public struct ReplicaSetStatus: Codable, Hashable, Sendable {
    public var replicas: Int32
    public var fullyLabeledReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var terminatingReplicas: Int32?
    public var observedGeneration: Int64?
    public var conditions: [ReplicaSetCondition]?
    public init(replicas: Int32 = 0) { self.replicas = replicas }

    // Go's decoder leaves a missing `replicas` at zero; a freshly created ReplicaSet's status is `{}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        replicas = try c.decodeIfPresent(Int32.self, forKey: .replicas) ?? 0
        fullyLabeledReplicas = try c.decodeIfPresent(Int32.self, forKey: .fullyLabeledReplicas)
        readyReplicas = try c.decodeIfPresent(Int32.self, forKey: .readyReplicas)
        availableReplicas = try c.decodeIfPresent(Int32.self, forKey: .availableReplicas)
        terminatingReplicas = try c.decodeIfPresent(Int32.self, forKey: .terminatingReplicas)
        observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        conditions = try c.decodeIfPresent([ReplicaSetCondition].self, forKey: .conditions)
    }
}

/// `apps/v1.ReplicaSet`.
public struct ReplicaSet: KubeObject {
    public static let apiVersion = "apps/v1"
    public static let kind = "ReplicaSet"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ReplicaSetSpec?
    public var status: ReplicaSetStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ReplicaSetSpec? = nil, status: ReplicaSetStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
