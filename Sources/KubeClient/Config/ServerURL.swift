/// The API server's address from a kubeconfig `server:` (`https://127.0.0.1:6443`, `https://[::1]:6443/prefix`).
public struct ServerURL: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    /// Without brackets for IPv6.
    public var host: String
    public var port: Int
    /// A path prefix every request goes under ("" or "/prefix", never a trailing slash).
    public var basePath: String

    public init(scheme: String = "https", host: String, port: Int, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    public init(parsing string: String) throws(KubeClientError) {
        var rest = Substring(string)
        if let r = rest.firstRange(of: "://") {
            scheme = rest[..<r.lowerBound].lowercased()
            rest = rest[r.upperBound...]
        } else {
            scheme = "https"
        }
        guard scheme == "https" || scheme == "http" else {
            throw .config("server \"\(string)\": scheme \(scheme) is not http or https")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .config("server \"\(string)\": unterminated IPv6 address")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw .config("server \"\(string)\": no host") }
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw .config("server \"\(string)\": bad port \"\(portText)\"")
            }
            port = p
        } else {
            port = scheme == "https" ? 443 : 80
        }
    }

    /// The `Host` header value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? h : "\(h):\(port)"
    }

    public var description: String { "\(scheme)://\(hostHeader)\(basePath)" }

    /// True for a literal IPv4/IPv6 address, which must not be sent as TLS SNI.
    var isIPAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
