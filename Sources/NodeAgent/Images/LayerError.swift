/// Why a layer could not be read or unpacked. Entry errors name the tar entry.
public enum LayerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedMediaType(String)
    /// The tar stream is malformed (bad checksum, truncated, bad number field…).
    case malformedArchive(String)
    case corruptCompression(String)
    case unsupportedEntry(entry: String, reason: String)
    /// The entry would land outside the layer directory, or write through a symlink.
    case unsafeEntry(entry: String, reason: String)
    case system(entry: String, operation: String, errno: Errno)
    case read(Errno)
    case destinationExists(String)
    /// The uncompressed stream does not hash to the diffID the image config lists.
    case diffIDMismatch(expected: Digest, actual: Digest)

    public var description: String {
        switch self {
        case .unsupportedMediaType(let t): return "unsupported layer media type \"\(t)\""
        case .malformedArchive(let why): return "malformed layer archive: \(why)"
        case .corruptCompression(let why): return "layer decompression failed: \(why)"
        case .unsupportedEntry(let entry, let why): return "layer entry \"\(entry)\": unsupported: \(why)"
        case .unsafeEntry(let entry, let why): return "layer entry \"\(entry)\" refused: \(why)"
        case .system(let entry, let op, let errno): return "layer entry \"\(entry)\": \(op): \(errno)"
        case .read(let errno): return "reading layer: \(errno)"
        case .destinationExists(let path): return "layer directory \(path) already exists"
        case .diffIDMismatch(let expected, let actual):
            return "layer diffID mismatch: expected \(expected), got \(actual)"
        }
    }
}
