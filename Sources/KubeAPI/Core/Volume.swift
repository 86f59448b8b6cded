/// `core/v1.EmptyDirVolumeSource`. `medium` is "" or "Memory".
public struct EmptyDirVolumeSource: Codable, Hashable, Sendable {
    public var medium: String?
    public var sizeLimit: Quantity?
    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// `core/v1.KeyToPath`.
public struct KeyToPath: Codable, Hashable, Sendable {
    public var key: String
    public var path: String
    public var mode: Int32?
    public init(key: String, path: String, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// `core/v1.ConfigMapVolumeSource`.
public struct ConfigMapVolumeSource: Codable, Hashable, Sendable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?
    public init(name: String? = nil) { self.name = name }
}

/// `core/v1.SecretVolumeSource` (note: `secretName`, not `name`).
public struct SecretVolumeSource: Codable, Hashable, Sendable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?
    public init(secretName: String? = nil) { self.secretName = secretName }
}

/// `core/v1.HostPathVolumeSource`. `type`: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, …
public struct HostPathVolumeSource: Codable, Hashable, Sendable {
    public var path: String
    public var type: String?
    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }
}

/// `core/v1.PersistentVolumeClaimVolumeSource`.
public struct PersistentVolumeClaimVolumeSource: Codable, Hashable, Sendable {
    public var claimName: String
    public var readOnly: Bool?
    public init(claimName: String, readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }
}

/// `core/v1.DownwardAPIVolumeFile`.
public struct DownwardAPIVolumeFile: Codable, Hashable, Sendable {
    public var path: String
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?
    public init(path: String) { self.path = path }
}

/// `core/v1.DownwardAPIVolumeSource`.
public struct DownwardAPIVolumeSource: Codable, Hashable, Sendable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int32?
    public init() {}
}

/// `core/v1.ServiceAccountTokenProjection`.
public struct ServiceAccountTokenProjection: Codable, Hashable, Sendable {
    public var audience: String?
    public var expirationSeconds: Int64?
    public var path: String
    public init(path: String) { self.path = path }
}

/// `core/v1.VolumeProjection` (the kube-api-access-* volume the admission plugin adds).
public struct VolumeProjection: Codable, Hashable, Sendable {
    public var secret: SecretProjection?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var configMap: ConfigMapProjection?
    public var serviceAccountToken: ServiceAccountTokenProjection?
    public init() {}

    public struct SecretProjection: Codable, Hashable, Sendable {
        public var name: String?
        public var items: [KeyToPath]?
        public var optional: Bool?
        public init(name: String? = nil) { self.name = name }
    }

    public struct ConfigMapProjection: Codable, Hashable, Sendable {
        public var name: String?
        public var items: [KeyToPath]?
        public var optional: Bool?
        public init(name: String? = nil) { self.name = name }
    }
}

/// `core/v1.ProjectedVolumeSource`.
public struct ProjectedVolumeSource: Codable, Hashable, Sendable {
    public var sources: [VolumeProjection]?
    public var defaultMode: Int32?
    public init() {}
}

/// `core/v1.Volume`: a name and one source (the source fields are inlined in JSON).
public struct Volume: Codable, Hashable, Sendable {
    public var name: String
    public var emptyDir: EmptyDirVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var secret: SecretVolumeSource?
    public var hostPath: HostPathVolumeSource?
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var projected: ProjectedVolumeSource?
    public init(name: String) { self.name = name }
}
