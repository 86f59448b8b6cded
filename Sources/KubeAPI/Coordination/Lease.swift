/// `coordination/v1.LeaseSpec` (node heartbeats in kube-node-lease, leader election).
public struct LeaseSpec: Codable, Hashable, Sendable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int32?
    public var acquireTime: MicroTime?
    public var renewTime: MicroTime?
    public var leaseTransitions: Int32?
    public var strategy: String?
    public var preferredHolder: String?
    public init(holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: MicroTime? = nil,
                renewTime: MicroTime? = nil, leaseTransitions: Int32? = nil) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}

/// `coordination/v1.Lease`.
public struct Lease: KubeObject {
    public static let apiVersion = "coordination.k8s.io/v1"
    public static let kind = "Lease"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}
