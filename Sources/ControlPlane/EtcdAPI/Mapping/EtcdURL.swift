/// A client or peer URL as etcd's flags take them: `http://host:port` or `https://host:port`, the
/// host an IPv4 address, a name, or a bracketed IPv6 address; no path.
public struct EtcdURL: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    /// Without brackets for IPv6.
    public var host: String
    public var port: Int

    public init(scheme: String = "http", host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let sep = text.range(of: "://") else { return nil }
        let scheme = String(text[..<sep.lowerBound]).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = Substring(text[sep.upperBound...])
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/") else { return nil }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portText = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return nil }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.init(scheme: scheme, host: String(host), port: port)
    }

    public var description: String {
        host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }

    /// Parses etcd's comma-separated URL list flags.
    public static func list(_ text: String) -> [EtcdURL]? {
        var out: [EtcdURL] = []
        for part in text.split(separator: ",") {
            guard let url = EtcdURL(part.trimmingWhitespace()) else { return nil }
            out.append(url)
        }
        return out.isEmpty ? nil : out
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
