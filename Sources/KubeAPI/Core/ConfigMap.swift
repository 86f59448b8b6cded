/// `core/v1.ConfigMap`. `binaryData` values are base64 in JSON, kept as such here.
public struct ConfigMap: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "ConfigMap"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var immutable: Bool?
    public var data: [String: String]?
    public var binaryData: [String: String]?

    public init(metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.data = data
    }
}
