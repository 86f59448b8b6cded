/// `autoscaling/v1.ScaleSpec`.
public struct ScaleSpec: Codable, Hashable, Sendable {
    public var replicas: Int32?
    public init(replicas: Int32? = nil) { self.replicas = replicas }
}

/// `autoscaling/v1.ScaleStatus`.
public struct ScaleStatus: Codable, Hashable, Sendable {
    public var replicas: Int32
    /// The label selector of the scaled pods, in string form.
    public var selector: String?
    public init(replicas: Int32 = 0, selector: String? = nil) {
        self.replicas = replicas
        self.selector = selector
    }
}

/// `autoscaling/v1.Scale`: what the `scale` subresource of Deployments and ReplicaSets takes and returns.
public struct Scale: KubeObject {
    public static let apiVersion = "autoscaling/v1"
    public static let kind = "Scale"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ScaleSpec?
    public var status: ScaleStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ScaleSpec? = nil, status: ScaleStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
