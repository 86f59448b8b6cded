/// Everything needed to reach one API server as one user: what `rest.Config` is to client-go.
public struct KubeClientConfig: Sendable {
    public enum Credentials: Sendable, Equatable {
        case none
        /// A client certificate (chain) and its private key, PEM.
        case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
        case bearerToken(String)
        /// Re-read on every request, as projected service-account tokens rotate.
        case bearerTokenFile(String)
    }

    public var server: ServerURL
    /// The CA bundle (PEM) the server's certificate must chain to; nil uses the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    public var credentials: Credentials
    public var insecureSkipTLSVerify: Bool
    /// TLS server name to verify, when it differs from the URL's host (kubeconfig `tls-server-name`).
    public var tlsServerName: String?
    /// For every request except the body of a watch, which streams until the server ends it.
    public var requestTimeout: Duration
    public var connectTimeout: Duration
    /// Idle keep-alive connections kept for reuse.
    public var maxIdleConnections: Int
    public var userAgent: String

    public init(server: ServerURL, certificateAuthorityPEM: [UInt8]? = nil, credentials: Credentials = .none,
                insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil,
                requestTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10),
                maxIdleConnections: Int = 8, userAgent: String = "swiftlet-kubeclient/0.1") {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.credentials = credentials
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxIdleConnections = maxIdleConnections
        self.userAgent = userAgent
    }

    /// From explicit values: a server URL, the CA PEM, and a cert/key pair or a token.
    public init(server: String, certificateAuthorityPEM: String? = nil, clientCertificatePEM: String? = nil,
                clientKeyPEM: String? = nil, token: String? = nil) throws(KubeClientError) {
        let credentials: Credentials
        switch (clientCertificatePEM, clientKeyPEM, token) {
        case (let cert?, let key?, nil): credentials = .clientCertificate(certificatePEM: Array(cert.utf8), keyPEM: Array(key.utf8))
        case (nil, nil, let token?): credentials = .bearerToken(token)
        case (nil, nil, nil): credentials = .none
        default: throw .config("give a client certificate and key together, or a token, not both")
        }
        self.init(server: try ServerURL(parsing: server), certificateAuthorityPEM: certificateAuthorityPEM.map { Array($0.utf8) },
                  credentials: credentials)
    }
}
