import FoundationEssentials
import KubeAPI

/// A kubeconfig file (`clientcmdapi.Config`): named clusters, users and contexts, and the current one.
public struct KubeconfigFile: Hashable, Sendable {
    public struct Cluster: Hashable, Sendable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
    }

    public struct User: Hashable, Sendable {
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var token: String?
        public var tokenFile: String?
    }

    public struct Context: Hashable, Sendable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?
    /// Relative file paths in the file are relative to this directory (client-go's rule).
    public var directory: String

    /// Parses kubeconfig text (YAML or JSON). `directory` anchors relative paths.
    public init(parsing text: String, directory: String = ".") throws(KubeClientError) {
        self.directory = directory
        let root: JSONValue
        do {
            root = try YAMLSubset.parse(text)
        } catch {
            throw .config("parse: \(error)")
        }
        guard root.objectValue != nil else { throw .config("not a mapping at the top level") }
        for entry in root["clusters"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let c = entry["cluster"] else {
                throw .config("a cluster entry without name or cluster")
            }
            guard let server = c["server"]?.stringValue else { throw .config("cluster \"\(name)\": no server") }
            clusters[name] = Cluster(
                server: server, certificateAuthority: c["certificate-authority"]?.stringValue,
                certificateAuthorityData: try Self.base64(c["certificate-authority-data"], "cluster \"\(name)\" certificate-authority-data"),
                insecureSkipTLSVerify: Self.bool(c["insecure-skip-tls-verify"]),
                tlsServerName: c["tls-server-name"]?.stringValue)
        }
        for entry in root["users"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { throw .config("a user entry without name") }
            let u = entry["user"] ?? .object([:])
            if u["exec"] != nil || u["auth-provider"] != nil {
                throw .config("user \"\(name)\": exec and auth-provider credentials are not supported")
            }
            users[name] = User(
                clientCertificate: u["client-certificate"]?.stringValue,
                clientCertificateData: try Self.base64(u["client-certificate-data"], "user \"\(name)\" client-certificate-data"),
                clientKey: u["client-key"]?.stringValue,
                clientKeyData: try Self.base64(u["client-key-data"], "user \"\(name)\" client-key-data"),
                token: u["token"]?.stringValue, tokenFile: u["tokenFile"]?.stringValue)
        }
        for entry in root["contexts"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let c = entry["context"],
                  let cluster = c["cluster"]?.stringValue
            else { throw .config("a context entry without name or cluster") }
            contexts[name] = Context(cluster: cluster, user: c["user"]?.stringValue ?? "",
                                     namespace: c["namespace"]?.stringValue)
        }
        currentContext = root["current-context"]?.stringValue
    }

    /// Reads and parses a kubeconfig file.
    public init(path: String) throws(KubeClientError) {
        let bytes = try readFileBytes(path)
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try self.init(parsing: String(decoding: bytes, as: UTF8.self), directory: dir.isEmpty ? "/" : dir)
    }

    /// The namespace the context names, "default" if none.
    public func namespace(context: String? = nil) -> String {
        guard let name = context ?? currentContext, let c = contexts[name], let ns = c.namespace, !ns.isEmpty else {
            return "default"
        }
        return ns
    }

    /// The client configuration for a context (the current one by default), loading referenced files.
    public func clientConfig(context: String? = nil) throws(KubeClientError) -> KubeClientConfig {
        guard let contextName = context ?? currentContext, !contextName.isEmpty else {
            throw .config("no context given and no current-context")
        }
        guard let ctx = contexts[contextName] else { throw .config("context \"\(contextName)\" not found") }
        guard let cluster = clusters[ctx.cluster] else {
            throw .config("context \"\(contextName)\": cluster \"\(ctx.cluster)\" not found")
        }
        let user = ctx.user.isEmpty ? User() : users[ctx.user]
        guard let user else { throw .config("context \"\(contextName)\": user \"\(ctx.user)\" not found") }

        var ca = cluster.certificateAuthorityData
        if ca == nil, let file = cluster.certificateAuthority { ca = try readFileBytes(resolve(file)) }

        var cert = user.clientCertificateData
        if cert == nil, let file = user.clientCertificate { cert = try readFileBytes(resolve(file)) }
        var key = user.clientKeyData
        if key == nil, let file = user.clientKey { key = try readFileBytes(resolve(file)) }

        let credentials: KubeClientConfig.Credentials
        if let cert, let key {
            credentials = .clientCertificate(certificatePEM: cert, keyPEM: key)
        } else if cert != nil || key != nil {
            throw .config("user \"\(ctx.user)\": a client certificate needs its key and the key its certificate")
        } else if let token = user.token, !token.isEmpty {
            credentials = .bearerToken(token)
        } else if let file = user.tokenFile {
            credentials = .bearerTokenFile(resolve(file))
        } else {
            credentials = .none
        }
        return KubeClientConfig(server: try ServerURL(parsing: cluster.server), certificateAuthorityPEM: ca,
                                credentials: credentials, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify,
                                tlsServerName: cluster.tlsServerName)
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }

    static func base64(_ value: JSONValue?, _ what: String) throws(KubeClientError) -> [UInt8]? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else { throw .config("\(what) is not base64") }
        return Array(data)
    }

    static func bool(_ value: JSONValue?) -> Bool {
        if let b = value?.boolValue { return b }
        return value?.stringValue == "true"
    }
}

extension KubeClientConfig {
    /// The configuration of a kubeconfig file's context (its current context by default).
    public init(kubeconfigPath path: String, context: String? = nil) throws(KubeClientError) {
        self = try KubeconfigFile(path: path).clientConfig(context: context)
    }
}
