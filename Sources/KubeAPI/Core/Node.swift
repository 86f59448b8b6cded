/// `core/v1.Taint`. Effects: NoSchedule, PreferNoSchedule, NoExecute.
public struct Taint: Codable, Hashable, Sendable {
    public var key: String
    public var value: String?
    public var effect: String
    public var timeAdded: Time?
    public init(key: String, value: String? = nil, effect: String, timeAdded: Time? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}

/// `core/v1.NodeSpec`.
public struct NodeSpec: Codable, Hashable, Sendable {
    public var podCIDR: String?
    public var podCIDRs: [String]?
    public var providerID: String?
    public var unschedulable: Bool?
    public var taints: [Taint]?
    public init() {}
}

/// `core/v1.NodeCondition`. Types: Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable.
public struct NodeCondition: Codable, Hashable, Sendable {
    public var type: String
    public var status: String
    public var lastHeartbeatTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?
    public init(type: String, status: String, lastHeartbeatTime: Time? = nil, lastTransitionTime: Time? = nil,
                reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// `core/v1.NodeAddress`. Types: Hostname, InternalIP, ExternalIP, InternalDNS, ExternalDNS.
public struct NodeAddress: Codable, Hashable, Sendable {
    public var type: String
    public var address: String
    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

/// `core/v1.NodeSystemInfo`.
public struct NodeSystemInfo: Codable, Hashable, Sendable {
    public var machineID: String
    public var systemUUID: String
    public var bootID: String
    public var kernelVersion: String
    public var osImage: String
    public var containerRuntimeVersion: String
    public var kubeletVersion: String
    public var kubeProxyVersion: String?
    public var operatingSystem: String
    public var architecture: String
    public init(machineID: String = "", systemUUID: String = "", bootID: String = "", kernelVersion: String = "",
                osImage: String = "", containerRuntimeVersion: String = "", kubeletVersion: String = "",
                operatingSystem: String = "linux", architecture: String = "") {
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
    }
}

/// `core/v1.NodeDaemonEndpoints`.
public struct NodeDaemonEndpoints: Codable, Hashable, Sendable {
    public struct DaemonEndpoint: Codable, Hashable, Sendable {
        public var Port: Int32
        public init(port: Int32) { Port = port }
    }
    public var kubeletEndpoint: DaemonEndpoint?
    public init(kubeletPort: Int32? = nil) { kubeletEndpoint = kubeletPort.map(DaemonEndpoint.init(port:)) }
}

/// `core/v1.ContainerImage`.
public struct ContainerImage: Codable, Hashable, Sendable {
    public var names: [String]?
    public var sizeBytes: Int64?
    public init(names: [String]? = nil, sizeBytes: Int64? = nil) {
        self.names = names
        self.sizeBytes = sizeBytes
    }
}

/// `core/v1.NodeStatus`.
public struct NodeStatus: Codable, Hashable, Sendable {
    public var capacity: ResourceList?
    public var allocatable: ResourceList?
    public var phase: String?
    public var conditions: [NodeCondition]?
    public var addresses: [NodeAddress]?
    public var daemonEndpoints: NodeDaemonEndpoints?
    public var nodeInfo: NodeSystemInfo?
    public var images: [ContainerImage]?
    public var volumesInUse: [String]?
    public init() {}

    public func condition(_ type: String) -> NodeCondition? { conditions?.first { $0.type == type } }
    public var isReady: Bool { condition("Ready")?.status == "True" }
}

/// `core/v1.Node`.
public struct Node: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Node"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: NodeSpec?
    public var status: NodeStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
