import FoundationEssentials

/// A content address, `algorithm:hex`, as OCI descriptors and image references write it.
/// Only the registered algorithms are accepted: sha256 (64 lowercase hex digits, the one the
/// store computes) and sha512 (128), so a digest is always safe as a file name.
public struct Digest: Hashable, Sendable, CustomStringConvertible, Comparable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256, sha512
        /// Hex digits in an encoded digest of this algorithm.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    public let algorithm: Algorithm
    /// The encoded part: lowercase hex, `algorithm.hexLength` digits.
    public let hex: String

    public init(_ text: String) throws(DigestError) {
        guard let colon = text.firstIndex(of: ":") else { throw .missingAlgorithm(text) }
        let name = String(text[..<colon])
        guard Digest.isAlgorithmGrammar(name) else { throw .malformed(text) }
        guard let algorithm = Algorithm(rawValue: name) else { throw .unsupportedAlgorithm(name) }
        try self.init(algorithm: algorithm, hex: String(text[text.index(after: colon)...]))
    }

    public init(algorithm: Algorithm, hex: String) throws(DigestError) {
        let count = hex.utf8.count
        guard count == algorithm.hexLength else {
            throw .badLength(algorithm: algorithm.rawValue, expected: algorithm.hexLength, actual: count)
        }
        for c in hex.utf8 where !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
            throw .notLowercaseHex(hex)
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The digest of `bytes` (sha256).
    public static func sha256<Bytes: Collection>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public var description: String { algorithm.rawValue + ":" + hex }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    /// `component ([+._-] component)*`, component `[a-z0-9]+`: the OCI algorithm grammar.
    static func isAlgorithmGrammar(_ name: String) -> Bool {
        var previousSeparator = true
        for c in name.utf8 {
            let alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
            let separator = c == 0x2b || c == 0x2e || c == 0x5f || c == 0x2d
            if alnum { previousSeparator = false; continue }
            if !separator || previousSeparator { return false }
            previousSeparator = true
        }
        return !previousSeparator
    }
}

public enum DigestError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingAlgorithm(String)
    case malformed(String)
    case unsupportedAlgorithm(String)
    case badLength(algorithm: String, expected: Int, actual: Int)
    case notLowercaseHex(String)

    public var description: String {
        switch self {
        case .missingAlgorithm(let s): return "invalid digest \"\(s)\": expected algorithm:hex"
        case .malformed(let s): return "invalid digest \"\(s)\": malformed algorithm"
        case .unsupportedAlgorithm(let a): return "unsupported digest algorithm \"\(a)\""
        case .badLength(let a, let expected, let actual):
            return "invalid \(a) digest: \(actual) hex digits, expected \(expected)"
        case .notLowercaseHex(let h): return "invalid digest \"\(h)\": not lowercase hex"
        }
    }
}
