import FoundationEssentials

/// The opaque `continue` token of a paginated list, as the apiserver's etcd3 storage encodes it:
/// base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key after the collection prefix>"}`. The next
/// page reads at revision `rv`, so all pages are one consistent snapshot.
public struct ContinueToken: Hashable, Sendable, Codable {
    public var v: String
    public var rv: Int64
    public var start: String

    public init(rv: Int64, start: String) {
        v = "meta.k8s.io/v1"
        self.rv = rv
        self.start = start
    }

    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return data.base64EncodedString()
    }

    public enum DecodeError: Error, Hashable, Sendable { case malformed, wrongVersion, badStart }

    /// Decodes and checks a token: known version, positive revision, and a start key that stays inside the
    /// collection (no `..`-style escapes, as kube's `ValidateContinue`).
    public static func decode(_ token: String) throws(DecodeError) -> ContinueToken {
        var padded = token
        while padded.utf8.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded),
              let t = try? JSONDecoder().decode(ContinueToken.self, from: data) else { throw .malformed }
        guard t.v == "meta.k8s.io/v1" else { throw .wrongVersion }
        guard t.rv > 0, !t.start.isEmpty, !t.start.hasPrefix("/"),
              !t.start.split(separator: "/").contains("..") else { throw .badStart }
        return t
    }
}
