/// `core/v1.NodeSelectorRequirement`. Operators: In, NotIn, Exists, DoesNotExist, Gt, Lt.
public struct NodeSelectorRequirement: Codable, Hashable, Sendable {
    public var key: String
    public var `operator`: String
    public var values: [String]?
    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// `core/v1.NodeSelectorTerm`: requirements ANDed (terms of a NodeSelector are ORed).
public struct NodeSelectorTerm: Codable, Hashable, Sendable {
    public var matchExpressions: [NodeSelectorRequirement]?
    public var matchFields: [NodeSelectorRequirement]?
    public init(matchExpressions: [NodeSelectorRequirement]? = nil, matchFields: [NodeSelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }
}

/// `core/v1.NodeSelector`.
public struct NodeSelector: Codable, Hashable, Sendable {
    public var nodeSelectorTerms: [NodeSelectorTerm]
    public init(nodeSelectorTerms: [NodeSelectorTerm]) { self.nodeSelectorTerms = nodeSelectorTerms }
}

/// `core/v1.PreferredSchedulingTerm`.
public struct PreferredSchedulingTerm: Codable, Hashable, Sendable {
    public var weight: Int32
    public var preference: NodeSelectorTerm
    public init(weight: Int32, preference: NodeSelectorTerm) {
        self.weight = weight
        self.preference = preference
    }
}

/// `core/v1.NodeAffinity`.
public struct NodeAffinity: Codable, Hashable, Sendable {
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?
    public init() {}
}

/// `core/v1.PodAffinityTerm`.
public struct PodAffinityTerm: Codable, Hashable, Sendable {
    public var labelSelector: LabelSelector?
    public var namespaces: [String]?
    public var topologyKey: String
    public var namespaceSelector: LabelSelector?
    /// Keys whose values in the owning pod's labels are ANDed into `labelSelector` as `key In (value)`.
    public var matchLabelKeys: [String]?
    /// Keys whose values in the owning pod's labels are ANDed into `labelSelector` as `key NotIn (value)`.
    public var mismatchLabelKeys: [String]?
    public init(topologyKey: String, labelSelector: LabelSelector? = nil, namespaces: [String]? = nil,
                namespaceSelector: LabelSelector? = nil) {
        self.topologyKey = topologyKey
        self.labelSelector = labelSelector
        self.namespaces = namespaces
        self.namespaceSelector = namespaceSelector
    }
}

/// `core/v1.WeightedPodAffinityTerm`.
public struct WeightedPodAffinityTerm: Codable, Hashable, Sendable {
    public var weight: Int32
    public var podAffinityTerm: PodAffinityTerm
    public init(weight: Int32, podAffinityTerm: PodAffinityTerm) {
        self.weight = weight
        self.podAffinityTerm = podAffinityTerm
    }
}

/// `core/v1.PodAffinity` / `PodAntiAffinity` (same shape).
public struct PodAffinity: Codable, Hashable, Sendable {
    public var requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]?
    public var preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]?
    public init() {}
}

/// `core/v1.Affinity`.
public struct Affinity: Codable, Hashable, Sendable {
    public var nodeAffinity: NodeAffinity?
    public var podAffinity: PodAffinity?
    public var podAntiAffinity: PodAffinity?
    public init() {}
}

/// `core/v1.Toleration`. `operator` Exists or Equal (default); effect NoSchedule, PreferNoSchedule, NoExecute.
public struct Toleration: Codable, Hashable, Sendable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?
    public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil,
                tolerationSeconds: Int64? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// `Toleration.ToleratesTaint`: empty key with Exists tolerates everything; empty effect any effect.
    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.isEmpty, effect != taint.effect { return false }
        if let key, !key.isEmpty, key != taint.key { return false }
        switch `operator` ?? "Equal" {
        case "Exists": return true
        case "Equal", "": return (value ?? "") == (taint.value ?? "")
        default: return false
        }
    }
}

/// `core/v1.TopologySpreadConstraint`.
public struct TopologySpreadConstraint: Codable, Hashable, Sendable {
    public var maxSkew: Int32
    public var topologyKey: String
    public var whenUnsatisfiable: String
    public var labelSelector: LabelSelector?
    public var minDomains: Int32?
    public init(maxSkew: Int32, topologyKey: String, whenUnsatisfiable: String) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.whenUnsatisfiable = whenUnsatisfiable
    }
}
