import FoundationEssentials

/// A user name and password (or identity token) for one registry.
public struct RegistryCredential: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Basic base64(user:password)`.
    var basicAuthorization: String {
        "Basic " + Data((username + ":" + password).utf8).base64EncodedString()
    }
}

/// Credentials by registry host, as Docker's `config.json` and Kubernetes' image pull secrets
/// (`kubernetes.io/dockerconfigjson`, same format; or the older `dockercfg`) carry them.
public struct RegistryCredentials: Sendable, Equatable {
    public var byHost: [String: RegistryCredential]

    public init(_ byHost: [String: RegistryCredential] = [:]) {
        self.byHost = [:]
        for (host, credential) in byHost { self.byHost[RegistryCredentials.normalize(host)] = credential }
    }

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidJSON(String)
        case invalidAuth(host: String, reason: String)
        public var description: String {
            switch self {
            case .invalidJSON(let why): return "invalid docker config: \(why)"
            case .invalidAuth(let host, let why): return "invalid docker config entry for \(host): \(why)"
            }
        }
    }

    private struct Entry: Decodable {
        var auth: String?
        var username: String?
        var password: String?
        var identitytoken: String?
    }
    private struct Config: Decodable { var auths: [String: Entry]? }

    /// Reads `{"auths": {"host": {"auth": base64(user:pass)} | {"username", "password"}}}`,
    /// or the bare host map of the old `.dockercfg`.
    public init(dockerConfigJSON bytes: [UInt8]) throws(ParseError) {
        let entries: [String: Entry]
        do {
            if let config = try? JSONDecoder().decode(Config.self, from: Data(bytes)), let auths = config.auths {
                entries = auths
            } else {
                entries = try JSONDecoder().decode([String: Entry].self, from: Data(bytes))
            }
        } catch {
            throw .invalidJSON("\(error)")
        }
        var out: [String: RegistryCredential] = [:]
        for (host, entry) in entries {
            if let auth = entry.auth, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth), let text = String(data: decoded, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else {
                    throw .invalidAuth(host: host, reason: "\"auth\" is not base64 of user:password")
                }
                out[host] = RegistryCredential(username: String(text[..<colon]),
                                               password: String(text[text.index(after: colon)...]))
            } else if let user = entry.username, let password = entry.password {
                out[host] = RegistryCredential(username: user, password: password)
            }
        }
        self.init(out)
    }

    /// The payload of a Kubernetes image pull secret: `.dockerconfigjson` (or `.dockercfg`).
    public init(kubernetesSecretData data: [String: [UInt8]]) throws(ParseError) {
        guard let payload = data[".dockerconfigjson"] ?? data[".dockercfg"] else {
            throw .invalidJSON("secret has neither .dockerconfigjson nor .dockercfg")
        }
        try self.init(dockerConfigJSON: payload)
    }

    /// Adds `other`'s entries, replacing ours for the same host.
    public func merging(_ other: RegistryCredentials) -> RegistryCredentials {
        var copy = self
        copy.byHost.merge(other.byHost) { _, new in new }
        return copy
    }

    public func credential(for domain: String) -> RegistryCredential? {
        byHost[RegistryCredentials.normalize(domain)]
    }

    /// `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/x` → `host:5000`.
    static func normalize(_ key: String) -> String {
        var s = Substring(key)
        for scheme in ["https://", "http://"] where s.hasPrefix(scheme) { s = s.dropFirst(scheme.count) }
        if let slash = s.firstIndex(of: "/") { s = s[..<slash] }
        let host = s.lowercased()
        switch host {
        case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com": return "docker.io"
        default: return host
        }
    }
}

/// One `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct RegistryChallenge: Equatable {
    var scheme: String           // lowercased: "bearer", "basic"
    var parameters: [String: String]

    /// The challenges of one header value (a comma separates parameters and challenges alike:
    /// a token without `=` after a comma starts a new challenge).
    static func parse(_ header: String) -> [RegistryChallenge] {
        var out: [RegistryChallenge] = []
        let chars = Array(header)
        var i = 0
        func skipSpace() { while i < chars.count && (chars[i] == " " || chars[i] == "\t" || chars[i] == ",") { i += 1 } }
        func token() -> String {
            let start = i
            while i < chars.count && chars[i] != " " && chars[i] != "\t" && chars[i] != "=" && chars[i] != "," { i += 1 }
            return String(chars[start..<i])
        }
        while true {
            skipSpace()
            if i >= chars.count { break }
            let word = token()
            var j = i
            while j < chars.count && (chars[j] == " " || chars[j] == "\t") { j += 1 }
            if j < chars.count && chars[j] == "=", !out.isEmpty {
                // name=value of the current challenge
                i = j + 1
                while i < chars.count && (chars[i] == " " || chars[i] == "\t") { i += 1 }
                var value = ""
                if i < chars.count && chars[i] == "\"" {
                    i += 1
                    while i < chars.count && chars[i] != "\"" {
                        if chars[i] == "\\" && i + 1 < chars.count { i += 1 }
                        value.append(chars[i]); i += 1
                    }
                    i += 1
                } else {
                    let start = i
                    while i < chars.count && chars[i] != "," { i += 1 }
                    value = registryTrim(String(chars[start..<i]))
                }
                out[out.count - 1].parameters[word.lowercased()] = value
            } else {
                out.append(RegistryChallenge(scheme: word.lowercased(), parameters: [:]))
            }
        }
        return out
    }
}
