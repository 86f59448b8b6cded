/// `core/v1.Secret`. `data` holds the base64 strings exactly as in JSON; use `bytes(_:)` /
/// `setBytes(_:_:)` for the decoded values. `stringData` is write-only (merged into data by the server).
public struct Secret: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Secret"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var immutable: Bool?
    public var data: [String: String]?
    public var stringData: [String: String]?
    /// Opaque, kubernetes.io/service-account-token, kubernetes.io/dockerconfigjson, kubernetes.io/tls, …
    public var type: String?

    public init(metadata: ObjectMeta = ObjectMeta(), type: String? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.type = type
    }

    /// The decoded value of `data[key]` (nil when absent or not valid base64).
    public func bytes(_ key: String) -> [UInt8]? { data?[key].flatMap(Base64.decode) }

    public mutating func setBytes(_ key: String, _ value: [UInt8]) {
        if data == nil { data = [:] }
        data![key] = Base64.encode(value)
    }

    /// Folds `stringData` into `data` (what the API server does on write).
    public mutating func mergeStringData() {
        guard let sd = stringData else { return }
        for (k, v) in sd { setBytes(k, Array(v.utf8)) }
        stringData = nil
    }
}

/// Standard base64 (RFC 4648, padded), as Go's `encoding/base64.StdEncoding` for `[]byte` JSON fields.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)],
                    alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict decoding: padded, standard alphabet, length a multiple of 4.
    public static func decode(_ string: String) -> [UInt8]? {
        let s = Array(string.utf8)
        guard s.count % 4 == 0 else { return nil }
        func val(_ c: UInt8) -> UInt32? {
            switch c {
            case 65...90: UInt32(c - 65)
            case 97...122: UInt32(c - 97 + 26)
            case 48...57: UInt32(c - 48 + 52)
            case 43: 62
            case 47: 63
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(s.count / 4 * 3)
        var i = 0
        while i < s.count {
            let last = i + 4 == s.count
            let pad = last ? (s[i + 3] == 61 ? (s[i + 2] == 61 ? 2 : 1) : 0) : 0
            guard let a = val(s[i]), let b = val(s[i + 1]) else { return nil }
            let c = pad >= 2 ? 0 : val(s[i + 2])
            let d = pad >= 1 ? 0 : val(s[i + 3])
            guard let c, let d else { return nil }
            let n = a << 18 | b << 12 | c << 6 | d
            out.append(UInt8(n >> 16 & 255))
            if pad < 2 { out.append(UInt8(n >> 8 & 255)) }
            if pad < 1 { out.append(UInt8(n & 255)) }
            i += 4
        }
        return out
    }
}
