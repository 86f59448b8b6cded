/// `core/v1.EndpointAddress`.
public struct EndpointAddress: Codable, Hashable, Sendable {
    public var ip: String
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?
    public init(ip: String, nodeName: String? = nil, targetRef: ObjectReference? = nil) {
        self.ip = ip
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// `core/v1.EndpointPort`.
public struct EndpointPort: Codable, Hashable, Sendable {
    public var name: String?
    public var port: Int32
    public var `protocol`: String?
    public var appProtocol: String?
    public init(name: String? = nil, port: Int32, protocol: String? = nil) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
    }
}

/// `core/v1.EndpointSubset`.
public struct EndpointSubset: Codable, Hashable, Sendable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?
    public init(addresses: [EndpointAddress]? = nil, notReadyAddresses: [EndpointAddress]? = nil,
                ports: [EndpointPort]? = nil) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

/// `core/v1.Endpoints` (legacy; EndpointSlice is the current API).
public struct Endpoints: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Endpoints"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta = ObjectMeta(), subsets: [EndpointSubset]? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.subsets = subsets
    }
}
