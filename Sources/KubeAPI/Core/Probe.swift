/// `core/v1.HTTPHeader`.
public struct HTTPHeader: Codable, Hashable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `core/v1.HTTPGetAction`. `port` is a number or a named container port; scheme HTTP or HTTPS.
public struct HTTPGetAction: Codable, Hashable, Sendable {
    public var path: String?
    public var port: IntOrString
    public var host: String?
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?
    public init(path: String? = nil, port: IntOrString, host: String? = nil, scheme: String? = nil) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
    }
}

/// `core/v1.TCPSocketAction`.
public struct TCPSocketAction: Codable, Hashable, Sendable {
    public var port: IntOrString
    public var host: String?
    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

/// `core/v1.ExecAction`.
public struct ExecAction: Codable, Hashable, Sendable {
    public var command: [String]?
    public init(command: [String]? = nil) { self.command = command }
}

/// `core/v1.GRPCAction`.
public struct GRPCAction: Codable, Hashable, Sendable {
    public var port: Int32
    public var service: String?
    public init(port: Int32, service: String? = nil) {
        self.port = port
        self.service = service
    }
}

/// `core/v1.Probe` (the handler fields are inlined in JSON, as in Kubernetes).
public struct Probe: Codable, Hashable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var grpc: GRPCAction?
    public var initialDelaySeconds: Int32?
    public var timeoutSeconds: Int32?
    public var periodSeconds: Int32?
    public var successThreshold: Int32?
    public var failureThreshold: Int32?
    public var terminationGracePeriodSeconds: Int64?
    public init() {}
}

/// `core/v1.LifecycleHandler`.
public struct LifecycleHandler: Codable, Hashable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public init() {}
}

/// `core/v1.Lifecycle`.
public struct Lifecycle: Codable, Hashable, Sendable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?
    public init() {}
}
