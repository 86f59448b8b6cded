/// `apps/v1.RollingUpdateDeployment`: maxSurge / maxUnavailable as counts or percentages ("25%").
public struct RollingUpdateDeployment: Codable, Hashable, Sendable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?
    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

/// `apps/v1.DeploymentStrategy`. Type RollingUpdate (default) or Recreate.
public struct DeploymentStrategy: Codable, Hashable, Sendable {
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?
    public init(type: String? = nil, rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// `apps/v1.DeploymentSpec`.
public struct DeploymentSpec: Codable, Hashable, Sendable {
    public var replicas: Int32?
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int32?

    public init(replicas: Int32? = nil, selector: LabelSelector, template: PodTemplateSpec) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

/// `apps/v1.DeploymentCondition`. Types: Available, Progressing, ReplicaFailure.
public struct DeploymentCondition: Codable, Hashable, Sendable {
    public var type: String
    public var status: String
    public var lastUpdateTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?
    public init(type: String, status: String, lastUpdateTime: Time? = nil, lastTransitionTime: Time? = nil,
                reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// `apps/v1.DeploymentStatus`.
public struct DeploymentStatus: Codable, Hashable, Sendable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var terminatingReplicas: Int32?
    public var conditions: [DeploymentCondition]?
    public var collisionCount: Int32?
    public init() {}

    public func condition(_ type: String) -> DeploymentCondition? { conditions?.first { $0.type == type } }
}

/// `apps/v1.Deployment`.
public struct Deployment: KubeObject {
    public static let apiVersion = "apps/v1"
    public static let kind = "Deployment"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
