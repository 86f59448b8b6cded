/// `metav1.Preconditions`: the delete happens only if the object still has this UID / resourceVersion.
public struct Preconditions: Codable, Hashable, Sendable {
    public var uid: String?
    public var resourceVersion: String?
    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// `metav1.DeletionPropagation`: what happens to the dependents of a deleted owner.
public enum DeletionPropagation: String, Codable, Hashable, Sendable {
    case orphan = "Orphan"
    case background = "Background"
    case foreground = "Foreground"
}

/// `metav1.DeleteOptions`, the optional body of a DELETE.
public struct DeleteOptions: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var gracePeriodSeconds: Int64?
    public var preconditions: Preconditions?
    public var propagationPolicy: DeletionPropagation?
    public var dryRun: [String]?

    public init(gracePeriodSeconds: Int64? = nil, preconditions: Preconditions? = nil,
                propagationPolicy: DeletionPropagation? = nil, dryRun: [String]? = nil) {
        apiVersion = "v1"
        kind = "DeleteOptions"
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.propagationPolicy = propagationPolicy
        self.dryRun = dryRun
    }
}
