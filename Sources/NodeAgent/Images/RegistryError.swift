/// Why talking to a registry or pulling an image failed. Every case names the image reference
/// (or the registry host) it concerns, so a pod event can quote it as is.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry has no such tag, digest or blob (HTTP 404).
    case notFound(reference: String)
    /// No connection or the transfer broke (after retries): the host and curl's message.
    case unreachable(host: String, reference: String, message: String)
    /// 401/403 after trying the credentials we have (none, basic or a bearer token).
    case unauthorized(reference: String, detail: String)
    /// Any other HTTP status, with the registry's error text.
    case http(status: Int, reference: String, message: String)
    case unsupportedMediaType(reference: String, mediaType: String)
    case invalidManifest(reference: String, reason: String)
    /// An index without an entry for the platform we run on.
    case noMatchingPlatform(reference: String, wanted: String, available: [String])
    /// The bytes the registry sent do not hash to the digest asked for.
    case digestMismatch(reference: String, expected: Digest, actual: Digest)
    /// A token endpoint that did not hand out a usable token.
    case authentication(reference: String, detail: String)
    case blobStore(reference: String, BlobStoreError)
    case layer(reference: String, digest: Digest, LayerError)
    case system(reference: String, operation: String, path: String, errno: Errno)

    public var description: String {
        switch self {
        case .notFound(let r): return "not found: \(r)"
        case .unreachable(let host, let r, let message): return "cannot reach registry \(host) (pulling \(r)): \(message)"
        case .unauthorized(let r, let detail): return "unauthorized: \(r): \(detail)"
        case .http(let status, let r, let message): return "registry error \(status) for \(r): \(message)"
        case .unsupportedMediaType(let r, let t): return "\(r): unsupported media type \"\(t)\""
        case .invalidManifest(let r, let why): return "\(r): invalid manifest: \(why)"
        case .noMatchingPlatform(let r, let wanted, let available):
            return "\(r): no image for platform \(wanted) (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .digestMismatch(let r, let expected, let actual):
            return "\(r): digest mismatch: expected \(expected), got \(actual)"
        case .authentication(let r, let detail): return "\(r): authentication failed: \(detail)"
        case .blobStore(let r, let e): return "\(r): \(e)"
        case .layer(let r, let d, let e): return "\(r): layer \(d): \(e)"
        case .system(let r, let op, let path, let errno): return "\(r): \(op) \(path): \(errno)"
        }
    }
}
