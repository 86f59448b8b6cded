/// `core/v1.ObjectFieldSelector` (downward API: `metadata.name`, `status.podIP`, …).
public struct ObjectFieldSelector: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var fieldPath: String
    public init(fieldPath: String, apiVersion: String? = nil) {
        self.fieldPath = fieldPath
        self.apiVersion = apiVersion
    }
}

/// `core/v1.ResourceFieldSelector`.
public struct ResourceFieldSelector: Codable, Hashable, Sendable {
    public var containerName: String?
    public var resource: String
    public var divisor: Quantity?
    public init(resource: String) { self.resource = resource }
}

/// A key in a ConfigMap or Secret (`configMapKeyRef`, `secretKeyRef`).
public struct KeySelector: Codable, Hashable, Sendable {
    public var name: String?
    public var key: String
    public var optional: Bool?
    public init(name: String? = nil, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// `core/v1.EnvVarSource`.
public struct EnvVarSource: Codable, Hashable, Sendable {
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var configMapKeyRef: KeySelector?
    public var secretKeyRef: KeySelector?
    public init() {}
}

/// `core/v1.EnvVar`.
public struct EnvVar: Codable, Hashable, Sendable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?
    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// `core/v1.LocalObjectReference` (a name in the same namespace).
public struct LocalObjectReference: Codable, Hashable, Sendable {
    public var name: String?
    public init(name: String? = nil) { self.name = name }
}

/// `core/v1.EnvFromSource`.
public struct EnvFromSource: Codable, Hashable, Sendable {
    public struct Ref: Codable, Hashable, Sendable {
        public var name: String?
        public var optional: Bool?
        public init(name: String? = nil) { self.name = name }
    }
    public var prefix: String?
    public var configMapRef: Ref?
    public var secretRef: Ref?
    public init() {}
}

/// `core/v1.ContainerPort`. `protocol` is TCP (default), UDP or SCTP.
public struct ContainerPort: Codable, Hashable, Sendable {
    public var name: String?
    public var hostPort: Int32?
    public var containerPort: Int32
    public var `protocol`: String?
    public var hostIP: String?
    public init(containerPort: Int32, name: String? = nil, protocol: String? = nil, hostPort: Int32? = nil) {
        self.containerPort = containerPort
        self.name = name
        self.protocol = `protocol`
        self.hostPort = hostPort
    }
}

/// `core/v1.ResourceRequirements`.
public struct ResourceRequirements: Codable, Hashable, Sendable {
    public var limits: ResourceList?
    public var requests: ResourceList?
    public init(requests: ResourceList? = nil, limits: ResourceList? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// `core/v1.VolumeMount`.
public struct VolumeMount: Codable, Hashable, Sendable {
    public var name: String
    public var readOnly: Bool?
    public var mountPath: String
    public var subPath: String?
    public var mountPropagation: String?
    public init(name: String, mountPath: String, readOnly: Bool? = nil, subPath: String? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
    }
}

/// `core/v1.Capabilities`.
public struct Capabilities: Codable, Hashable, Sendable {
    public var add: [String]?
    public var drop: [String]?
    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

/// `core/v1.SeccompProfile` (`RuntimeDefault`, `Unconfined`, `Localhost`).
public struct SeccompProfile: Codable, Hashable, Sendable {
    public var type: String
    public var localhostProfile: String?
    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

/// `core/v1.SecurityContext` (container level).
public struct SecurityContext: Codable, Hashable, Sendable {
    public var capabilities: Capabilities?
    public var privileged: Bool?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var seccompProfile: SeccompProfile?
    public init() {}
}

/// `core/v1.Container` (also used for init containers).
public struct Container: Codable, Hashable, Sendable {
    @OrEmpty public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    /// Sidecar init containers: `Always`.
    public var restartPolicy: String?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    /// `Always`, `IfNotPresent` or `Never`.
    public var imagePullPolicy: String?
    public var securityContext: SecurityContext?
    public var stdin: Bool?
    public var stdinOnce: Bool?
    public var tty: Bool?

    public init(name: String, image: String? = nil, command: [String]? = nil, args: [String]? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
    }
}
