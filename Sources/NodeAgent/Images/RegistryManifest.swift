import FoundationEssentials

/// The manifest media types the client asks for and reads.
public enum RegistryMediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"

    /// Every manifest type, for the Accept header.
    public static let manifests = [ociManifest, ociIndex, dockerManifest, dockerManifestList]
    public static func isIndex(_ t: String) -> Bool { t == ociIndex || t == dockerManifestList }
    public static func isManifest(_ t: String) -> Bool { t == ociManifest || t == dockerManifest }
    public static func isConfig(_ t: String) -> Bool { t == ociConfig || t == dockerConfig }
}

/// An OCI content descriptor (also Docker's).
public struct RegistryDescriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: RegistryPlatform?

    public init(mediaType: String, digest: String, size: Int64, platform: RegistryPlatform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
    }
}

/// An image manifest: OCI `image.manifest.v1` or Docker `distribution.manifest.v2`.
public struct RegistryImageManifest: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: RegistryDescriptor
    public var layers: [RegistryDescriptor]
    public var annotations: [String: String]?
}

/// An index: OCI `image.index.v1` or Docker `manifest.list.v2`.
public struct RegistryImageIndex: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [RegistryDescriptor]
    public var annotations: [String: String]?
}

/// The parts of an image config the puller reads.
public struct RegistryImageConfig: Codable, Sendable, Equatable {
    public struct RootFS: Codable, Sendable, Equatable {
        public var type: String
        public var diff_ids: [String]
    }
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var rootfs: RootFS
}

/// A manifest or index as fetched: its bytes, type and digest.
public struct FetchedManifest: Sendable {
    public var bytes: [UInt8]
    public var mediaType: String
    public var digest: Digest

    public var isIndex: Bool { RegistryMediaType.isIndex(mediaType) }

    public func index() throws -> RegistryImageIndex {
        try JSONDecoder().decode(RegistryImageIndex.self, from: Data(bytes))
    }

    public func manifest() throws -> RegistryImageManifest {
        try JSONDecoder().decode(RegistryImageManifest.self, from: Data(bytes))
    }

    /// The media type of a manifest body: the registry's Content-Type if it is one we know,
    /// else the document's own `mediaType` field; nil if neither names a known type.
    static func mediaType(contentType: String?, bytes: [UInt8]) -> (known: String?, seen: String) {
        let header = contentType.map { registryTrim($0.split(separator: ";").first ?? "") }
        if let header, RegistryMediaType.manifests.contains(header) { return (header, header) }
        struct Probe: Decodable { var mediaType: String?; var manifests: [RegistryDescriptor]?; var config: RegistryDescriptor? }
        let probe = try? JSONDecoder().decode(Probe.self, from: Data(bytes))
        if let t = probe?.mediaType {
            return (RegistryMediaType.manifests.contains(t) ? t : nil, t)
        }
        // OCI allows omitting mediaType: tell an index from a manifest by its fields, but only
        // when the registry did not name some other type.
        if header == nil || header == "application/json" || header == "application/octet-stream" {
            if probe?.manifests != nil { return (RegistryMediaType.ociIndex, RegistryMediaType.ociIndex) }
            if probe?.config != nil { return (RegistryMediaType.ociManifest, RegistryMediaType.ociManifest) }
        }
        return (nil, header ?? "(none)")
    }
}
