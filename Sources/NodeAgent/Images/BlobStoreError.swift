/// What went wrong in the blob store, naming the blob (and the path for system errors).
public enum BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(Digest)
    case unsupportedAlgorithm(Digest)
    /// The bytes hash to `actual`, not the digest they were ingested under. Nothing was stored.
    case digestMismatch(expected: Digest, actual: Digest)
    /// The blob ended at `actual` bytes (or ran past the size) where `expected` were announced.
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64)
    /// A write to a writer that was committed, closed or aborted.
    case writerClosed(Digest)
    case system(operation: String, path: String, errno: Errno)

    public var description: String {
        switch self {
        case .notFound(let d): return "blob \(d) not found"
        case .unsupportedAlgorithm(let d): return "blob \(d): only sha256 blobs can be stored"
        case .digestMismatch(let expected, let actual):
            return "blob digest mismatch: expected \(expected), got \(actual)"
        case .sizeMismatch(let d, let expected, let actual):
            return "blob \(d) size mismatch: expected \(expected) bytes, got \(actual)"
        case .writerClosed(let d): return "blob \(d): ingest writer already finished"
        case .system(let op, let path, let errno): return "\(op) \(path): \(errno)"
        }
    }
}
