/// `discovery/v1.EndpointConditions`.
public struct EndpointConditions: Codable, Hashable, Sendable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?
    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

/// `discovery/v1.EndpointHints`.
public struct EndpointHints: Codable, Hashable, Sendable {
    public struct ForZone: Codable, Hashable, Sendable {
        public var name: String
        public init(name: String) { self.name = name }
    }
    public var forZones: [ForZone]?
    public init(forZones: [ForZone]? = nil) { self.forZones = forZones }
}

/// `discovery/v1.Endpoint`.
public struct Endpoint: Codable, Hashable, Sendable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var targetRef: ObjectReference?
    public var deprecatedTopology: [String: String]?
    public var nodeName: String?
    public var zone: String?
    public var hints: EndpointHints?
    public init(addresses: [String], conditions: EndpointConditions? = nil, nodeName: String? = nil,
                targetRef: ObjectReference? = nil) {
        self.addresses = addresses
        self.conditions = conditions
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// `discovery/v1.EndpointPort` (every field optional, unlike core/v1's).
public struct EndpointSlicePort: Codable, Hashable, Sendable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int32?
    public var appProtocol: String?
    public init(name: String? = nil, protocol: String? = nil, port: Int32? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
    }
}

/// `discovery/v1.EndpointSlice`. addressType IPv4, IPv6 or FQDN. `endpoints` is always written.
public struct EndpointSlice: KubeObject {
    public static let apiVersion = "discovery.k8s.io/v1"
    public static let kind = "EndpointSlice"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var addressType: String
    public var endpoints: [Endpoint]?
    public var ports: [EndpointSlicePort]?

    public init(metadata: ObjectMeta = ObjectMeta(), addressType: String = "IPv4", endpoints: [Endpoint] = [],
                ports: [EndpointSlicePort]? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The label linking a slice to its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"
}
