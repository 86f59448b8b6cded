/// `core/v1.ServiceAccount`.
public struct ServiceAccount: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "ServiceAccount"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var secrets: [ObjectReference]?
    public var imagePullSecrets: [LocalObjectReference]?
    public var automountServiceAccountToken: Bool?

    public init(metadata: ObjectMeta = ObjectMeta()) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
    }
}
