/// `core/v1.PodSecurityContext`.
public struct PodSecurityContext: Codable, Hashable, Sendable {
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int64]?
    public var fsGroup: Int64?
    public var seccompProfile: SeccompProfile?
    public var sysctls: [Sysctl]?
    public init() {}

    public struct Sysctl: Codable, Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }
}

/// `core/v1.PodDNSConfig`.
public struct PodDNSConfig: Codable, Hashable, Sendable {
    public struct Option: Codable, Hashable, Sendable {
        public var name: String?
        public var value: String?
        public init(name: String? = nil, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [Option]?
    public init() {}
}

/// `core/v1.HostAlias`.
public struct HostAlias: Codable, Hashable, Sendable {
    public var ip: String
    public var hostnames: [String]?
    public init(ip: String, hostnames: [String]? = nil) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

/// `core/v1.PodSpec`.
public struct PodSpec: Codable, Hashable, Sendable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    @OrEmpty public var containers: [Container]
    /// `Always` (default), `OnFailure`, `Never`.
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    /// `ClusterFirst` (default), `ClusterFirstWithHostNet`, `Default`, `None`.
    public var dnsPolicy: String?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    /// Deprecated alias of serviceAccountName, still written by the API server.
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var shareProcessNamespace: Bool?
    public var securityContext: PodSecurityContext?
    public var imagePullSecrets: [LocalObjectReference]?
    public var hostname: String?
    public var subdomain: String?
    public var affinity: Affinity?
    public var schedulerName: String?
    public var tolerations: [Toleration]?
    public var hostAliases: [HostAlias]?
    public var priorityClassName: String?
    public var priority: Int32?
    public var dnsConfig: PodDNSConfig?
    public var runtimeClassName: String?
    public var enableServiceLinks: Bool?
    public var preemptionPolicy: String?
    public var overhead: ResourceList?
    public var topologySpreadConstraints: [TopologySpreadConstraint]?

    public init(containers: [Container] = []) { self.containers = containers }
}

/// `core/v1.PodCondition`. Types: PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers.
public struct PodCondition: Codable, Hashable, Sendable {
    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    public var lastProbeTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?
    public init(type: String, status: String, lastTransitionTime: Time? = nil, reason: String? = nil,
                message: String? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// `core/v1.ContainerStateWaiting`.
public struct ContainerStateWaiting: Codable, Hashable, Sendable {
    public var reason: String?
    public var message: String?
    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// `core/v1.ContainerStateRunning`.
public struct ContainerStateRunning: Codable, Hashable, Sendable {
    public var startedAt: Time?
    public init(startedAt: Time? = nil) { self.startedAt = startedAt }
}

/// `core/v1.ContainerStateTerminated`.
public struct ContainerStateTerminated: Codable, Hashable, Sendable {
    public var exitCode: Int32
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    public var startedAt: Time?
    public var finishedAt: Time?
    public var containerID: String?
    public init(exitCode: Int32, reason: String? = nil, startedAt: Time? = nil, finishedAt: Time? = nil) {
        self.exitCode = exitCode
        self.reason = reason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// `core/v1.ContainerState`: at most one of the three is set.
public struct ContainerState: Codable, Hashable, Sendable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?
    public init(waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil,
                terminated: ContainerStateTerminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// `core/v1.ContainerStatus`.
public struct ContainerStatus: Codable, Hashable, Sendable {
    public var name: String
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int32
    public var image: String
    public var imageID: String
    public var containerID: String?
    public var started: Bool?
    public var allocatedResources: ResourceList?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMountStatus]?

    public init(name: String, ready: Bool = false, restartCount: Int32 = 0, image: String, imageID: String = "") {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
    }

    public struct VolumeMountStatus: Codable, Hashable, Sendable {
        public var name: String
        public var mountPath: String
        public var readOnly: Bool?
        public var recursiveReadOnly: String?
        public init(name: String, mountPath: String) {
            self.name = name
            self.mountPath = mountPath
        }
    }
}

/// `core/v1.PodIP` / `HostIP`.
public struct PodIP: Codable, Hashable, Sendable {
    public var ip: String
    public init(ip: String) { self.ip = ip }
}

/// `core/v1.PodStatus`.
public struct PodStatus: Codable, Hashable, Sendable {
    /// Pending, Running, Succeeded, Failed, Unknown.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var nominatedNodeName: String?
    public var hostIP: String?
    public var hostIPs: [PodIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: Time?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    /// Guaranteed, Burstable, BestEffort.
    public var qosClass: String?
    public var ephemeralContainerStatuses: [ContainerStatus]?
    public var observedGeneration: Int64?
    public init(phase: String? = nil) { self.phase = phase }

    public func condition(_ type: String) -> PodCondition? { conditions?.first { $0.type == type } }
    public var isReady: Bool { condition("Ready")?.status == "True" }
}

/// `core/v1.Pod`.
public struct Pod: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Pod"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil, status: PodStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `core/v1.PodTemplateSpec`.
public struct PodTemplateSpec: Codable, Hashable, Sendable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?
    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `core/v1.ObjectReference`.
public struct ObjectReference: Codable, Hashable, Sendable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var resourceVersion: String?
    public var fieldPath: String?
    public init(kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil,
                apiVersion: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
    }
}

/// `core/v1.Binding`: the scheduler's POST to `pods/{name}/binding`.
public struct Binding: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Binding"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var target: ObjectReference

    public init(metadata: ObjectMeta, target: ObjectReference) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.target = target
    }

    /// Binds `pod` (namespace/name/uid) to node `nodeName`.
    public init(pod: ObjectMeta, nodeName: String) {
        var meta = ObjectMeta(name: pod.name, namespace: pod.namespace)
        meta.uid = pod.uid
        self.init(metadata: meta, target: ObjectReference(kind: "Node", name: nodeName, apiVersion: "v1"))
    }
}
