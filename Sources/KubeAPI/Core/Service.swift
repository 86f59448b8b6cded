/// `core/v1.ServicePort`.
public struct ServicePort: Codable, Hashable, Sendable {
    public var name: String?
    public var `protocol`: String?
    public var appProtocol: String?
    public var port: Int32
    public var targetPort: IntOrString?
    public var nodePort: Int32?
    public init(name: String? = nil, protocol: String? = nil, port: Int32, targetPort: IntOrString? = nil,
                nodePort: Int32? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

/// `core/v1.SessionAffinityConfig`.
public struct SessionAffinityConfig: Codable, Hashable, Sendable {
    public struct ClientIPConfig: Codable, Hashable, Sendable {
        public var timeoutSeconds: Int32?
        public init(timeoutSeconds: Int32? = nil) { self.timeoutSeconds = timeoutSeconds }
    }
    public var clientIP: ClientIPConfig?
    public init(clientIP: ClientIPConfig? = nil) { self.clientIP = clientIP }
}

/// `core/v1.ServiceSpec`.
public struct ServiceSpec: Codable, Hashable, Sendable {
    public var ports: [ServicePort]?
    public var selector: [String: String]?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    /// ClusterIP (default), NodePort, LoadBalancer, ExternalName.
    public var type: String?
    public var externalIPs: [String]?
    /// None or ClientIP.
    public var sessionAffinity: String?
    public var loadBalancerIP: String?
    public var loadBalancerSourceRanges: [String]?
    public var externalName: String?
    /// Cluster or Local.
    public var externalTrafficPolicy: String?
    public var healthCheckNodePort: Int32?
    public var publishNotReadyAddresses: Bool?
    public var sessionAffinityConfig: SessionAffinityConfig?
    public var ipFamilies: [String]?
    public var ipFamilyPolicy: String?
    public var allocateLoadBalancerNodePorts: Bool?
    public var loadBalancerClass: String?
    public var internalTrafficPolicy: String?
    public var trafficDistribution: String?
    public init() {}
}

/// `core/v1.PortStatus`.
public struct PortStatus: Codable, Hashable, Sendable {
    public var port: Int32
    public var `protocol`: String
    public var error: String?
    public init(port: Int32, protocol: String, error: String? = nil) {
        self.port = port
        self.protocol = `protocol`
        self.error = error
    }
}

/// `core/v1.LoadBalancerIngress`.
public struct LoadBalancerIngress: Codable, Hashable, Sendable {
    public var ip: String?
    public var hostname: String?
    public var ipMode: String?
    public var ports: [PortStatus]?
    public init(ip: String? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }
}

/// `core/v1.LoadBalancerStatus`.
public struct LoadBalancerStatus: Codable, Hashable, Sendable {
    public var ingress: [LoadBalancerIngress]?
    public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
}

/// `metav1.Condition`: the generic condition (Service, Lease-free APIs, CRDs).
public struct Condition: Codable, Hashable, Sendable {
    public var type: String
    public var status: String
    public var observedGeneration: Int64?
    public var lastTransitionTime: Time
    public var reason: String
    public var message: String
    public init(type: String, status: String, lastTransitionTime: Time, reason: String, message: String = "",
                observedGeneration: Int64? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
    }
}

/// `core/v1.ServiceStatus`.
public struct ServiceStatus: Codable, Hashable, Sendable {
    public var loadBalancer: LoadBalancerStatus?
    public var conditions: [Condition]?
    public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
}

/// `core/v1.Service`.
public struct Service: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Service"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec? = nil, status: ServiceStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
