import APIServer

/// The identity a verified client certificate carries, read once per connection.
public struct CertificateIdentity: Hashable, Sendable {
    public var commonName: String
    public var organizations: [String]
    /// False when the certificate limits its extended key usage to purposes other than client auth.
    public var allowsClientAuth: Bool

    public init(commonName: String, organizations: [String], allowsClientAuth: Bool = true) {
        self.commonName = commonName
        self.organizations = organizations
        self.allowsClientAuth = allowsClientAuth
    }
}

/// Kubernetes' authenticator chain as this server configures it: x509 client certificate, then
/// bearer token from the static token file, then anonymous. A presented credential that does not
/// check out fails the request (401) rather than falling back to anonymous.
public enum Authenticator {
    public enum Outcome: Hashable, Sendable {
        case authenticated(UserInfo)
        case anonymous
        case failed
    }

    static let authenticatedGroup = "system:authenticated"

    public static func authenticate(certificate: CertificateIdentity?, authorization: String?,
                                    tokens: StaticTokens) -> Outcome {
        var certificateFailed = false
        if let certificate {
            if certificate.allowsClientAuth && !certificate.commonName.isEmpty {
                return .authenticated(withAuthenticatedGroup(UserInfo(name: certificate.commonName,
                                                                      groups: certificate.organizations)))
            }
            certificateFailed = true
        }
        switch bearerToken(authorization) {
        case .none:
            return certificateFailed ? .failed : .anonymous
        case .some(let token):
            guard !token.isEmpty, let entry = tokens.lookup(token) else { return .failed }
            return .authenticated(withAuthenticatedGroup(UserInfo(name: entry.user, groups: entry.groups)))
        }
    }

    /// The token of an `Authorization: Bearer <token>` header; nil when the header is absent or
    /// another scheme (no opinion), "" when the scheme is Bearer but the token is empty (invalid).
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let trimmed = header.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        let parts = trimmed.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    static func withAuthenticatedGroup(_ user: UserInfo) -> UserInfo {
        var user = user
        if !user.groups.contains(authenticatedGroup) { user.groups.append(authenticatedGroup) }
        return user
    }

    /// Requests the anonymous user may make: health checks and the version, nothing else.
    public static func anonymousMayRequest(method: String, path: String) -> Bool {
        guard method == "GET" || method == "HEAD" else { return false }
        if path == "/version" || path == "/version/" { return true }
        for health in ["/healthz", "/livez", "/readyz"] where path == health || path.hasPrefix(health + "/") {
            return true
        }
        return false
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
